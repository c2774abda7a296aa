"""Sales page URLs."""

from django.urls import path

from guanxi.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("board/", views.opportunity_board, name="board"),
    path("forecast/", views.opportunity_forecast, name="forecast"),
    path("new/", views.opportunity_create, name="create"),
    path("<record_id:opportunity_id>/", views.opportunity_detail, name="detail"),
    path("<record_id:opportunity_id>/edit/", views.opportunity_edit, name="edit"),
    path("<record_id:opportunity_id>/stage/", views.opportunity_move, name="move"),
    path("<record_id:opportunity_id>/win/", views.opportunity_win, name="win"),
    path("<record_id:opportunity_id>/lose/", views.opportunity_lose, name="lose"),
    path("<record_id:opportunity_id>/team/", views.opportunity_team, name="team"),
]

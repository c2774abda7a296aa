"""The web shell: login, navigation, language choice and the shared page layout."""

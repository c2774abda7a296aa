"""Customer-base analytics as a pure library: tables in, tables out, no Django import."""

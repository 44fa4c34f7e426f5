"""Surveys in SQL: delivery (scheduling, claiming and recording messages) and answers."""

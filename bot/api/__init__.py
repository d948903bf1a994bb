"""The admin API under `/api/v1/` (bearer token): tickets, hand-offs from other systems
(intake), statistics, and the views they share with the CLI."""

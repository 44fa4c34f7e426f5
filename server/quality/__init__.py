"""Quality review of interventions: a sample and the ones that went wrong, checked by a manager."""

"""Self-hosted Web Push: VAPID keys, device subscriptions, encrypted sends with retries."""

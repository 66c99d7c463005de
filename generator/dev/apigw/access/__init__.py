"""Who may call a route besides Cognito's bearer token: SigV4 signatures checked against the
local key pair (`sigv4`), and API keys with their usage plans' quotas (`api_keys`)."""

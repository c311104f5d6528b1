# Provider settings. Left null, each falls back to its environment variable.
variable "server_url" {
  description = "ConductorOne URL (CONDUCTORONE_SERVER_URL when null)."
  type        = string
  default     = null
}

variable "client_id" {
  description = "ConductorOne API client ID (CONDUCTORONE_CLIENT_ID when null)."
  type        = string
  default     = null
}

variable "client_secret" {
  description = "ConductorOne API client secret (CONDUCTORONE_CLIENT_SECRET when null)."
  type        = string
  default     = null
  sensitive   = true
}

variable "xero_identity_url" {
  description = "Xero identity server used for the credential check (XERO_IDENTITY_URL, else Xero's own, when null)."
  type        = string
  default     = null
}

# The integration.
variable "app_id" {
  description = "ID of the ConductorOne app to connect to Xero."
  type        = string
}

variable "user_ids" {
  description = "ConductorOne user IDs that own the integration; null keeps ConductorOne's choice (the API client's user)."
  type        = list(string)
  default     = null
}

variable "xero_client_id" {
  description = "Client ID of the Xero Custom Connection."
  type        = string
}

variable "xero_client_secret" {
  description = "Client secret of the Xero Custom Connection. Ephemeral: it reaches neither the plan nor the state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

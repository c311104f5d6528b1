# A reusable module: read a ConductorOne app's Xero sync and hand back role and
# organisation names. Its check block turns a failed sync into a warning on
# every plan and apply, without blocking the run.

terraform {
  required_version = ">= 1.5"

  required_providers {
    conductorone = {
      source = "conductorone/conductorone"
    }
  }
}

variable "app_id" {
  description = "ID of the ConductorOne app whose Xero sync to read."
  type        = string
}

variable "integration_id" {
  description = "ID of the Xero connector; null picks the app's Xero connector."
  type        = string
  default     = null
}

variable "wait_for_sync" {
  description = "Wait for a running sync to finish before reading."
  type        = bool
  default     = false
}

data "conductorone_xero_sync" "this" {
  app_id         = var.app_id
  integration_id = var.integration_id
  wait_for_sync  = var.wait_for_sync
}

check "xero_sync_succeeded" {
  assert {
    condition     = data.conductorone_xero_sync.this.sync_status != "error"
    error_message = "The Xero sync of app ${var.app_id} failed: ${coalesce(data.conductorone_xero_sync.this.last_error, "no error message")}."
  }
}

output "role_names" {
  description = "Display names of the Xero roles the last sync found."
  value       = sort(data.conductorone_xero_sync.this.roles[*].display_name)
}

output "organization_names" {
  description = "Display names of the Xero organisations the last sync found."
  value       = sort(data.conductorone_xero_sync.this.organizations[*].display_name)
}

output "sync_status" {
  description = "State of the last sync."
  value       = data.conductorone_xero_sync.this.sync_status
}

# Ask ConductorOne to sync a Xero integration now and wait for the sync to end
# (Terraform 1.14 and later). Nothing runs at plain `terraform apply`; invoke it:
#   terraform apply -invoke=action.conductorone_xero_force_sync.finance
action "conductorone_xero_force_sync" "finance" {
  config {
    app_id = "26cu2CeTK4apdrplbdzgz77fUWy"
    # Optional when the app has one Xero connector.
    integration_id = "2Ya8dM5Ex1H4HDRvcWo0uGkxsQo"
    timeout        = "15m"
  }
}

# Or sync whenever Terraform creates the integration or changes it, for
# example after a credential rotation. A failed sync fails the apply with
# ConductorOne's error.
resource "conductorone_xero_integration" "payroll" {
  app_id                        = "2tokYQDanNtMtuIM398vyc9wEX7"
  xero_client_id                = "116F90CBBCFB407D9645A4DBC376E52B"
  xero_client_secret_wo         = var.xero_client_secret
  xero_client_secret_wo_version = 1

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.conductorone_xero_force_sync.payroll]
    }
  }
}

action "conductorone_xero_force_sync" "payroll" {
  config {
    app_id         = conductorone_xero_integration.payroll.app_id
    integration_id = conductorone_xero_integration.payroll.id
  }
}

variable "xero_client_secret" {
  description = "The Custom Connection's client secret, from a secret store."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Connect an existing ConductorOne app to a Xero Custom Connection. The secret
# is write-only (Terraform 1.11 and later): it is sent to ConductorOne but never
# stored in the plan or the state. Bump the version to send a new secret.
resource "conductorone_xero_integration" "finance" {
  app_id   = "26cu2CeTK4apdrplbdzgz77fUWy"
  user_ids = ["2mtWmjLg8xs2HjcqzaDqgZJjYvb"]

  xero_client_id                = "116F90CBBCFB407D9645A4DBC376E52B"
  xero_client_secret_wo         = var.xero_client_secret
  xero_client_secret_wo_version = 1

  # Wait until the first sync has finished before the apply completes.
  wait_for_sync = true

  timeouts {
    create = "15m"
  }

  # Sync every weekday at 02:00 London time. Five cron fields; ConductorOne
  # judges the rest (its cron dialect and shortest interval are not
  # documented). Without this block ConductorOne's own schedule is left alone.
  sync_schedule {
    cron     = "0 2 * * 1-5"
    timezone = "Europe/London"
  }
}

# Create a new app together with its Xero integration. Without Xero
# credentials the app's owners are asked to finish the setup in ConductorOne.
resource "conductorone_xero_integration" "onboarding" {
  new_app {
    display_name = "Xero (Acme Ltd)"
    description  = "Xero organisation of Acme Ltd, managed by Terraform"
  }
  user_ids = ["2mtWmjLg8xs2HjcqzaDqgZJjYvb", "2tokYQDanNtMtuIM398vyc9wEX7"]

  # Keep syncs (and provisioning) paused until the setup is reviewed; set to
  # false to resume, which starts a sync. A pause made in ConductorOne is not
  # detected: the API reports no field that says "paused".
  sync_paused = true
}

variable "xero_client_secret" {
  description = "The Custom Connection's client secret, from a secret store."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# A whole round trip against ConductorOne: connect an app to a Xero Custom
# Connection, wait for the first sync, and show what it brought in.
# `make demo` runs it against the loopback emulator (scripts/demo.sh sets the
# TF_VAR_* values); against a real tenant, set the same variables, or leave the
# provider ones unset and use the CONDUCTORONE_* environment variables.

terraform {
  # The Xero secret below is write-only, which needs Terraform 1.11.
  required_version = ">= 1.11"

  required_providers {
    conductorone = {
      source = "conductorone/conductorone"
    }
  }
}

provider "conductorone" {
  server_url        = var.server_url
  client_id         = var.client_id
  client_secret     = var.client_secret
  xero_identity_url = var.xero_identity_url
}

resource "conductorone_xero_integration" "x" {
  app_id   = var.app_id
  user_ids = var.user_ids

  xero_client_id                = var.xero_client_id
  xero_client_secret_wo         = var.xero_client_secret
  xero_client_secret_wo_version = 1
}

data "conductorone_xero_sync" "x" {
  app_id         = conductorone_xero_integration.x.app_id
  integration_id = conductorone_xero_integration.x.id
  wait_for_sync  = true
  timeout        = "2m"
}

# The same sync read through the reusable module, whose check block warns when
# the sync failed.
module "xero_roles" {
  source = "../modules/xero_roles"

  app_id         = conductorone_xero_integration.x.app_id
  integration_id = conductorone_xero_integration.x.id
  wait_for_sync  = true
}

terraform {
  required_providers {
    conductorone = {
      source  = "conductorone/conductorone"
      version = "~> 0.1"
    }
  }
}

# With no arguments the provider reads CONDUCTORONE_CLIENT_ID and
# CONDUCTORONE_CLIENT_SECRET (or CONDUCTORONE_ACCESS_TOKEN, or a Terraform Cloud
# workload identity token) from the environment; the tenant comes from the
# client ID. Arguments set here win over the environment.
provider "conductorone" {
  server_url    = "https://acme.conductor.one"
  client_id     = var.conductorone_client_id
  client_secret = var.conductorone_client_secret
}

variable "conductorone_client_id" {
  description = "A ConductorOne API client ID, such as 2bcD...@acme.conductor.one/pcc."
  type        = string
}

variable "conductorone_client_secret" {
  description = "The client secret that belongs to conductorone_client_id."
  type        = string
  sensitive   = true
}

output "integration_id" {
  description = "ID of the Xero connector in ConductorOne."
  value       = conductorone_xero_integration.x.id
}

output "xero_app_type" {
  description = "What the Xero credentials turned out to be (custom_connection for this demo)."
  value       = conductorone_xero_integration.x.xero_app_type
}

output "sync_status" {
  description = "State of the connector's last sync."
  value       = data.conductorone_xero_sync.x.sync_status
}

output "organizations" {
  description = "Xero organisations the sync found."
  value       = [for o in data.conductorone_xero_sync.x.organizations : o.display_name]
}

output "role_names" {
  description = "Xero organisation roles the sync found."
  value       = data.conductorone_xero_sync.x.roles[*].display_name
}

output "user_count" {
  description = "How many Xero users the sync found."
  value       = data.conductorone_xero_sync.x.user_count
}

output "module_role_names" {
  description = "The role names again, sorted, as the xero_roles module reports them."
  value       = module.xero_roles.role_names
}

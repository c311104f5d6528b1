# Read what ConductorOne's last Xero sync brought in: organisations, roles and
# how many users. With wait_for_sync the read waits (up to timeout) for a
# running sync to finish.
data "conductorone_xero_sync" "finance" {
  app_id        = "26cu2CeTK4apdrplbdzgz77fUWy"
  wait_for_sync = true
  timeout       = "5m"
}

output "xero_sync_status" {
  value = data.conductorone_xero_sync.finance.sync_status
}

output "xero_role_names" {
  value = data.conductorone_xero_sync.finance.roles[*].display_name
}

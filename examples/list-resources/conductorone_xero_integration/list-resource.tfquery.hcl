# Find the Xero integrations that already exist (Terraform 1.14 and later):
#   terraform query
# and write an import block and a resource block for each, to adopt them:
#   terraform query -generate-config-out=generated.tf
list "conductorone_xero_integration" "all" {
  provider = conductorone
}

# Only the apps named, at most 20 results, each with its full resource object
# (what `terraform query -json` shows as resource_object).
list "conductorone_xero_integration" "finance" {
  provider         = conductorone
  include_resource = true
  limit            = 20

  config {
    app_ids = ["26cu2CeTK4apdrplbdzgz77fUWy", "2tokYQDanNtMtuIM398vyc9wEX7"]
  }
}

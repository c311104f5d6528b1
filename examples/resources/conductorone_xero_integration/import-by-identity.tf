# Terraform 1.12 and later: import by the resource identity, the app ID and the connector ID.
import {
  to = conductorone_xero_integration.finance
  identity = {
    app_id = "26cu2CeTK4apdrplbdzgz77fUWy"
    id     = "2sp7Ho9srXeucRka0NMiu2M3lHV"
  }
}

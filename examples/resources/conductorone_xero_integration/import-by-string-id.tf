# Terraform 1.5 and later: import with an import block and the same "APP_ID/CONNECTOR_ID" string.
import {
  to = conductorone_xero_integration.finance
  id = "26cu2CeTK4apdrplbdzgz77fUWy/2sp7Ho9srXeucRka0NMiu2M3lHV"
}

# An integration is imported by its app ID and its connector ID, joined by "/".
terraform import conductorone_xero_integration.finance 26cu2CeTK4apdrplbdzgz77fUWy/2sp7Ho9srXeucRka0NMiu2M3lHV

authorized = environment
    .get("securityContextRoles")
    .inject(false) { result, role ->
		return result || role == "openidm-del-admin"
	}
import java.net.URI

URI uri =  new URI(resourceURI)

authorized = environment
    .get("securityContextPath")
    .inject(false) { result, path ->
		return result || uri.getPath() == '/openidm/' + path
	}
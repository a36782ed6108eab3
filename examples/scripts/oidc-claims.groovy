import com.iplanet.sso.SSOException
import com.sun.identity.idm.IdRepoException

// Resolve the "email" claim from the user's profile, as AM's default OIDC claims script does.
def fromProfile = { claim, identity ->
    try {
        def values = identity.getAttribute(claim.name)
        values ? values.iterator().next() : null
    } catch (IdRepoException | SSOException e) {
        logger.warning("cannot read ${claim.name}: ${e.message}")
        null
    }
}

return [email: fromProfile]

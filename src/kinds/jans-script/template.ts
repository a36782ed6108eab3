// What a custom script sent without source holds, as Janssen fills one in (its CustomScript
// model puts a template in a null `script`): a person authentication skeleton for that type, a
// plain one for any other. Janssen's templates are Python whatever the language; so are these.
// amsh's own text, written to parse as Jython 2.7 and to do nothing.

const PERSON_AUTHENTICATION = `from io.jans.model.custom.script.type.auth import PersonAuthenticationType

class PersonAuthentication(PersonAuthenticationType):
    def __init__(self, currentTimeMillis):
        self.currentTimeMillis = currentTimeMillis

    def init(self, customScript, configurationAttributes):
        return True

    def destroy(self, configurationAttributes):
        return True

    def getApiVersion(self):
        return 11

    def isValidAuthenticationMethod(self, usageType, configurationAttributes):
        return True

    def getAlternativeAuthenticationMethod(self, usageType, configurationAttributes):
        return None

    def authenticate(self, configurationAttributes, requestParameters, step):
        return False

    def prepareForStep(self, configurationAttributes, requestParameters, step):
        return True

    def getExtraParametersForStep(self, configurationAttributes, step):
        return None

    def getCountAuthenticationSteps(self, configurationAttributes):
        return 1

    def getPageForStep(self, configurationAttributes, step):
        return ""

    def logout(self, configurationAttributes, requestParameters):
        return True
`

const OTHER = `class SampleScript:
    def __init__(self, currentTimeMillis):
        self.currentTimeMillis = currentTimeMillis

    def init(self, customScript, configurationAttributes):
        return True

    def destroy(self, configurationAttributes):
        return True

    def getApiVersion(self):
        return 11
`

export function scriptTemplate(scriptType: string): string {
  return scriptType === 'person_authentication' ? PERSON_AUTHENTICATION : OTHER
}

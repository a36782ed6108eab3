/*
 * Copyright 2022 ForgeRock AS. All Rights Reserved
 *
 * Use of this code requires a commercial software license with ForgeRock AS.
 * or with one of its affiliates. All use shall be exclusively subject
 * to such license between the licensee and ForgeRock. Not for production use.
 * Modified by Stephen Payne
 */
/* Social Identity Provider Profile Transformation script for Healthcare ID Cloud */
import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object

logger.error("ST_healthcare-idc-social-transformation Healthcare ID Cloud Identity Provider Profile Transformation script: Start");

logger.error("ST_healthcare-idc-social-transformation Profile Transformation script: Start");
logger.error("ST_healthcare-idc-social-transformationy: givenName " + rawProfile.givenName);
logger.error("ST_healthcare-idc-social-transformation: sn: " +rawProfile.familyName);
logger.error("ST_healthcare-idc-social-transformation: id: " +rawProfile.id);
logger.error("ST_healthcare-idc-social-transformation: mail: " + rawProfile.email);
logger.error("ST_healthcare-idc-social-transformation: cn: " + rawProfile.displayName);
logger.error("ST_healthcare-idc-social-transformation: userName: " + rawProfile.username);
logger.error("ST_healthcare-idc-social-transformation: id: " + rawProfile.id.asString());
//logger.error("ST_healthcare-idc-social-transformation: iplanet-am-user-alias-list: " + selectedIdp + '-' + rawProfile.id.asString() );
//logger.error("ST_healthcare-idc-social-transformation: selectedIdp: " + selectedIdp);
if (rawProfile.fhirUser.isNotNull()) logger.error("ST_healthcare-idc-social-transformation: fhirUser: " + rawProfile.fhirUser);
if (rawProfile.IAL.isNotNull()) logger.error("ST_healthcare-idc-social-transformatio: IAL: " + rawProfile.IAL);




return json(object(
        field("id", rawProfile.sub),
        field("displayName", rawProfile.name),
        field("givenName", rawProfile.given_name),
        field("familyName", rawProfile.family_name),
        field("email", rawProfile.email),
        field("username", rawProfile.email),
        field("IAL", rawProfile.IAL),  
        field("telephoneNumber", rawProfile.phone_number),
        field("fhirUser", rawProfile.fhirUser),
        field("userType", rawProfile.userType),
        )
)
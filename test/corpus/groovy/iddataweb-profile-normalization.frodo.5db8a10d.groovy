/*/*
 * Copyright 2022 ForgeRock AS. All Rights Reserved
 *
 * Use of this code requires a commercial software license with ForgeRock AS.
 * or with one of its affiliates. All use shall be exclusively subject
 * to such license between the licensee and ForgeRock AS. Not for Production use. 
 * Modified by Stephen Payne
 */
/* Social Identity Provider Profile Transformation script for ID DataWeb */
import static org.forgerock.json.JsonValue.field
import static org.forgerock.json.JsonValue.json
import static org.forgerock.json.JsonValue.object

logger.error("iddataweb_Social Identity Provider Profile Transformation script: Start");
userName = sharedState.get("objectAttributes").get("mail");
logger.error("iddataweb_Social Identity Provider Profile Transformation script: userName" + userName );
username = userName;
sharedState.put("userName", userName);

return json(object(
        field("id", rawProfile.sub),
        field("displayName", rawProfile.acquiredAttributes_AcquiredFullName_fname.asString() + " " + rawProfile.acquiredAttributes_AcquiredFullName_lname.asString().toLowerCase().capitalize() ),
        field("givenName", rawProfile.acquiredAttributes_AcquiredFullName_fname.asString().toLowerCase().capitalize() ),
        field("familyName", rawProfile.acquiredAttributes_AcquiredFullName_lname.asString().toLowerCase().capitalize() ),
        field("postalAddress", rawProfile.acquiredAttributes_AcquiredAddress_address),
        field("addressLocality", rawProfile.acquiredAttributes_AcquiredAddress_locality),
        field("addressRegion", rawProfile.acquiredAttributes_AcquiredAddress_administrative_area_level_1),
        field("postalCode", rawProfile.acquiredAttributes_AcquiredAddress_postal_code),
        field("country", rawProfile.acquiredAttributes_AcquiredAddress_country),
        field("driversLicense", rawProfile.acquiredAttributes_AcquiredDriversLicenseNumber_acquiredDriversLicenseNumber),
        field("driversLicenseIssuer", rawProfile.acquiredAttributes_DriversLicenseIssuerCode_DriversLicenseIssuerCode),
  		field("DOB", rawProfile.acquiredAttributes_AcquiredDOB_month.asString() + "/" + rawProfile.acquiredAttributes_AcquiredDOB_day.asString() + "/" + rawProfile.acquiredAttributes_AcquiredDOB_year.asString() ),

        field("IDWScore", rawProfile.acquiredAttributes_IDWScore),
        field("policyDecision", rawProfile.policyDecision_conclusion),
        field("phone", rawProfile.userAttributes_InternationalTelephone_dialCode.asString() + rawProfile.userAttributes_InternationalTelephone_telephone.asString()),
        field("username", userName )
       //field("username", rawProfile.acquiredAttributes_AcquiredFullName_fname.asString() + "." + rawProfile.acquiredAttributes_AcquiredFullName_lname.asString() )

   )
)

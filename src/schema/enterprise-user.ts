import { attribute, type SchemaDefinition } from './attribute'
import { ENTERPRISE_USER_SCHEMA } from './urns'

const text = (name: string, description: string) => attribute({ name, type: 'string', description })

/** The Enterprise User extension, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, RFC 7643 §4.3 and §8.7.1. */
export const ENTERPRISE_USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    text(
      'employeeNumber',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    text('costCenter', 'Identifies the name of a cost center.'),
    text('organization', 'Identifies the name of an organization.'),
    text('division', 'Identifies the name of a division.'),
    text('department', 'Identifies the name of a department.'),
    attribute({
      name: 'manager',
      type: 'complex',
      description:
        "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      // RFC 7643 §8.7.1 describes value and $ref as "REQUIRED." yet gives required false; the §4.3 prose says
      // RECOMMENDED, which is what required false means, so the descriptions follow §4.3.
      subAttributes: [
        text('value', "The id of the SCIM resource representing the User's manager.  RECOMMENDED."),
        attribute({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User'],
          description: "The URI of the SCIM resource representing the User's manager.  RECOMMENDED.",
        }),
        attribute({
          name: 'displayName',
          type: 'string',
          description: "The displayName of the User's manager. OPTIONAL and READ-ONLY.",
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
}

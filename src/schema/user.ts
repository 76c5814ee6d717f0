import { attribute, type SchemaDefinition } from './attribute'
import { EXTERNAL_ID_ATTRIBUTE } from './common'
import { multiValuedAttribute } from './multi-valued'
import { USER_SCHEMA } from './urns'

const BARBARA = "given the full name 'Ms. Barbara J Jensen, III'"

const text = (name: string, description: string) => attribute({ name, type: 'string', description })

const name = attribute({
  name: 'name',
  type: 'complex',
  description:
    "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.",
  subAttributes: [
    text(
      'formatted',
      "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
    ),
    text(
      'familyName',
      `The family name of the User, or last name in most Western languages (e.g., 'Jensen' ${BARBARA}).`,
    ),
    text(
      'givenName',
      `The given name of the User, or first name in most Western languages (e.g., 'Barbara' ${BARBARA}).`,
    ),
    text('middleName', `The middle name(s) of the User (e.g., 'Jane' ${BARBARA}).`),
    text(
      'honorificPrefix',
      `The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' ${BARBARA}).`,
    ),
    text(
      'honorificSuffix',
      `The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' ${BARBARA}).`,
    ),
  ],
})

const addresses = attribute({
  name: 'addresses',
  type: 'complex',
  multiValued: true,
  description:
    "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.",
  subAttributes: [
    text(
      'formatted',
      'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.',
    ),
    text(
      'streetAddress',
      'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
    ),
    text('locality', 'The city or locality component.'),
    text('region', 'The state or region component.'),
    text('postalCode', 'The zip code or postal code component.'),
    text('country', 'The country name component.'),
    attribute({
      name: 'type',
      type: 'string',
      description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      canonicalValues: ['work', 'home', 'other'],
    }),
    // RFC 7643 §4.1.2 gives addresses a `primary`; the §8.7.1 representation forgot it.
    attribute({
      name: 'primary',
      type: 'boolean',
      description:
        "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address.  The primary attribute value 'true' MUST appear no more than once.",
    }),
  ],
})

const readOnly = (input: Parameters<typeof attribute>[0]) => attribute({ ...input, mutability: 'readOnly' })

const groups = attribute({
  name: 'groups',
  type: 'complex',
  multiValued: true,
  description:
    'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
  mutability: 'readOnly',
  subAttributes: [
    readOnly({ name: 'value', type: 'string', description: "The identifier of the User's group." }),
    readOnly({
      name: '$ref',
      type: 'reference',
      referenceTypes: ['User', 'Group'],
      description: "The URI of the corresponding 'Group' resource to which the user belongs.",
    }),
    readOnly({
      name: 'display',
      type: 'string',
      description: 'A human-readable name, primarily used for display purposes.  READ-ONLY.',
    }),
    readOnly({
      name: 'type',
      type: 'string',
      description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
      canonicalValues: ['direct', 'indirect'],
    }),
  ],
})

/** The User core schema, `urn:ietf:params:scim:schemas:core:2.0:User`, RFC 7643 §4.1 and §8.7.1. */
export const USER_SCHEMA_DEFINITION: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute({
      name: 'userName',
      type: 'string',
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      required: true,
      uniqueness: 'server',
    }),
    name,
    text(
      'displayName',
      'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
    ),
    text(
      'nickName',
      "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
    ),
    attribute({
      name: 'profileUrl',
      type: 'reference',
      referenceTypes: ['external'],
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
    }),
    text('title', 'The user\'s title, such as "Vice President."'),
    text(
      'userType',
      "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    ),
    text(
      'preferredLanguage',
      "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    ),
    text(
      'locale',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    text(
      'timezone',
      "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    ),
    attribute({
      name: 'active',
      type: 'boolean',
      description: "A Boolean value indicating the User's administrative status.",
    }),
    attribute({
      name: 'password',
      type: 'string',
      description:
        "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValuedAttribute({
      name: 'emails',
      description:
        "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      value: {
        description:
          "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      },
      typeDescription: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
      canonicalTypes: ['work', 'home', 'other'],
      primaryExample: 'the preferred mailing address or primary email address',
    }),
    multiValuedAttribute({
      name: 'phoneNumbers',
      description:
        "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      value: { description: 'Phone number of the User.' },
      typeDescription: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
      canonicalTypes: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
      primaryExample: 'the preferred phone number or primary phone number',
    }),
    multiValuedAttribute({
      name: 'ims',
      description: 'Instant messaging addresses for the User.',
      value: { description: 'Instant messaging address for the User.' },
      typeDescription: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
      canonicalTypes: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
      primaryExample: 'the preferred messenger or primary messenger',
    }),
    multiValuedAttribute({
      name: 'photos',
      description: 'URLs of photos of the User.',
      value: { description: 'URL of a photo of the User.', type: 'reference', referenceTypes: ['external'] },
      typeDescription: "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
      canonicalTypes: ['photo', 'thumbnail'],
      primaryExample: 'the preferred photo or thumbnail',
    }),
    addresses,
    groups,
    multiValuedAttribute({
      name: 'entitlements',
      description: 'A list of entitlements for the User that represent a thing the User has.',
      value: { description: 'The value of an entitlement.' },
      typeDescription: "A label indicating the attribute's function.",
    }),
    multiValuedAttribute({
      name: 'roles',
      description:
        "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      value: { description: 'The value of a role.' },
      typeDescription: "A label indicating the attribute's function.",
    }),
    multiValuedAttribute({
      name: 'x509Certificates',
      description: 'A list of certificates issued to the User.',
      value: { description: 'The value of an X.509 certificate.', type: 'binary' },
      typeDescription: "A label indicating the attribute's function.",
    }),
    EXTERNAL_ID_ATTRIBUTE,
  ],
}

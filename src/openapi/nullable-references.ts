type Schema = Record<string, unknown>;

/** The OpenAPI 3.0 schema that accepts `null` and nothing else. */
export const NULL_ONLY_SCHEMA = { type: 'object', nullable: true, enum: [null] } as const;

/**
 * Rewrites every nullable reference of the document into a form OpenAPI 3.0 validators read as
 * the service means it. @nestjs/swagger writes a nullable property of a class type as
 * `{nullable: true, allOf: [{$ref}]}`; under OpenAPI 3.0 `nullable` only widens a `type` of the
 * same schema object, and `allOf` still requires the referenced object, so every validator
 * rejects the `null` the service rightly sends (RelationshipEvent.Contact, .Entity,
 * Contact.Currency). It becomes `{anyOf: [{$ref}, null-only]}`, keeping its description.
 */
export function rewriteNullableReferences(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteNullableReferences(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Schema;
  for (const value of Object.values(schema)) rewriteNullableReferences(value);
  const allOf = schema.allOf;
  if (schema.nullable !== true || !Array.isArray(allOf) || allOf.length !== 1) return;
  delete schema.nullable;
  delete schema.allOf;
  if (schema.type === 'object') delete schema.type;
  schema.anyOf = [allOf[0], structuredClone(NULL_ONLY_SCHEMA)];
}

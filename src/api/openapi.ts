import type { SwaggerTransformObject } from "@fastify/swagger";
import { jsonSchemaTransformObject } from "fastify-type-provider-zod";

type Document = ReturnType<SwaggerTransformObject>;

/**
 * fastify-type-provider-zod's transformObject, keeping only the component schemas the paths
 * use. It emits every schema with an id twice (`X` for responses, `XInput` for requests) and
 * takes them from zod's global registry, so without this the document would list input
 * variants nobody sends, and any schema another part of the process gave an id.
 */
export const transformObject: SwaggerTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input) as Document & {
    paths?: unknown;
    components?: { schemas?: Record<string, unknown> };
  };
  const schemas = doc.components?.schemas;
  if (!schemas) return doc;
  const used = new Set<string>();
  let frontier: unknown[] = [doc.paths];
  while (frontier.length > 0) {
    const next: unknown[] = [];
    for (const part of frontier) {
      for (const [, name] of JSON.stringify(part ?? null).matchAll(
        /"#\/components\/schemas\/([^"]+)"/g,
      )) {
        if (name && !used.has(name) && name in schemas) {
          used.add(name);
          next.push(schemas[name]);
        }
      }
    }
    frontier = next;
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...doc.components, schemas: kept } } as Document;
};

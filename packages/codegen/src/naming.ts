/** "Get my orgs" → "getMyOrgs", "_query" → "query"; words keep their inner capitals. */
export function camelCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words
    .map((w, i) =>
      i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1),
    )
    .join("");
}

const pascal = (text: string) => {
  const c = camelCase(text);
  return c.charAt(0).toUpperCase() + c.slice(1);
};

/** A name read off the route itself: `GET /pipelines/{pipelineId}` → "getPipelinesByPipelineId". */
export function routeName(method: string, path: string): string {
  const parts = path
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      return param ? `By${pascal(param[1] ?? "")}` : pascal(segment);
    });
  return method.toLowerCase() + parts.join("");
}

export const isIdentifier = (name: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);

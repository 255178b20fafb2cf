import { createHash } from "node:crypto";
import { faker } from "@faker-js/faker/locale/en";

type Schema = Record<string, unknown>;

/** Dates the examples fall before: fixed, so two builds of the same spec serve the same data. */
const REFERENCE_DATE = "2026-06-19T00:00:00.000Z";

/**
 * What a property of the gateway's documents holds, told by its name (and format): the gateway names
 * things consistently (`id`, `…Id`, `createdAt`, `creator`, `email`, `url`…). The first rule whose
 * name test matches and whose type fits makes the value.
 */
interface Rule {
  name: RegExp;
  type: "string" | "number" | "integer" | "any";
  format?: string;
  make: () => unknown;
}

const words = (n: number) => faker.word.words(n).toLowerCase();
const RULES: Rule[] = [
  // Dataloop ids are MongoDB ObjectIds: 24 hex digits.
  {
    name: /^(id|_id)$|Id$|^id[A-Z]|^(org|account|project|dataset|item|bot|pipeline|task)$/,
    type: "string",
    make: () => faker.database.mongodbObjectId(),
  },
  {
    name: /email|^(creator|createdBy|updatedBy|owner|assignee|annotator|username|user)$/i,
    type: "string",
    make: () => faker.internet.email().toLowerCase(),
  },
  {
    name: /(At|Date|Time|^date|^time)$/,
    type: "string",
    make: () => faker.date.recent({ days: 365 }).toISOString(),
  },
  {
    name: /(At|Date|Time|^timestamp)$/,
    type: "number",
    make: () => faker.date.recent({ days: 365 }).getTime(),
  },
  {
    name: /(At|Date|Time|^timestamp)$/,
    type: "integer",
    make: () => faker.date.recent({ days: 365 }).getTime(),
  },
  { name: /url$|uri$|link$|href$|^stream$|^thumbnail$/i, type: "string", make: () => faker.internet.url() },
  { name: /^firstName$/, type: "string", make: () => faker.person.firstName() },
  { name: /^lastName$/, type: "string", make: () => faker.person.lastName() },
  { name: /^(fullName|displayName)$/, type: "string", make: () => faker.person.fullName() },
  { name: /^(filename|fileName)$/, type: "string", make: () => faker.system.commonFileName("jpg") },
  {
    name: /^(path|filePath|remotePath)$/,
    type: "string",
    make: () => `/${words(1)}/${faker.system.commonFileName("jpg")}`,
  },
  { name: /^(dir|directory|folder)$/, type: "string", make: () => `/${words(1)}` },
  { name: /^name$|Name$/, type: "string", make: () => `${words(2).replace(/\s+/g, "-")}` },
  { name: /^(description|message|comment|text|title)$/, type: "string", make: () => faker.lorem.sentence() },
  { name: /^(mimetype|mimeType|contentType)$/, type: "string", make: () => "image/jpeg" },
  {
    name: /^(size|bytes|fileSize)$/,
    type: "integer",
    make: () => faker.number.int({ min: 1_000, max: 5_000_000 }),
  },
  {
    name: /^(size|bytes|fileSize)$/,
    type: "number",
    make: () => faker.number.int({ min: 1_000, max: 5_000_000 }),
  },
  {
    name: /^(width|height)$/,
    type: "any",
    make: () => faker.helpers.arrayElement([480, 640, 720, 1080, 1280]),
  },
  { name: /(count|Count|total|Total)$/, type: "any", make: () => faker.number.int({ min: 0, max: 250 }) },
  { name: /^(color|colour)$/, type: "string", make: () => faker.color.rgb() },
  { name: /^(domain|host)$/, type: "string", make: () => faker.internet.domainName() },
  { name: /^(ip|ipAddress)$/, type: "string", make: () => faker.internet.ipv4() },
  { name: /^(version)$/, type: "string", make: () => faker.system.semver() },
];

const FORMATS: Record<string, () => unknown> = {
  "date-time": () => faker.date.recent({ days: 365 }).toISOString(),
  date: () => faker.date.recent({ days: 365 }).toISOString().slice(0, 10),
  email: () => faker.internet.email().toLowerCase(),
  uri: () => faker.internet.url(),
  url: () => faker.internet.url(),
  uuid: () => faker.string.uuid(),
  ipv4: () => faker.internet.ipv4(),
};

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  return typeof t === "string" ? t : Array.isArray(t) ? (t.find((x) => x !== "null") as string) : undefined;
}

/** A believable value for property `name` of `schema`, or undefined when no rule fits or the schema constrains it. */
function valueFor(name: string, schema: Schema): unknown {
  if (["$ref", "example", "examples", "enum", "const", "default", "pattern"].some((k) => k in schema))
    return undefined;
  const type = typeOf(schema);
  const format = typeof schema.format === "string" ? schema.format : undefined;
  let value: unknown;
  if (type === "string" && format && FORMATS[format]) value = FORMATS[format]();
  else if (type === "string" && format && format !== "")
    return undefined; // a format we do not know: leave it
  else {
    const rule = RULES.find(
      (r) =>
        r.name.test(name) &&
        (r.type === type || (r.type === "any" && (type === "integer" || type === "number"))),
    );
    value = rule?.make();
  }
  if (value === undefined) return undefined;
  if (typeof value === "string") {
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) return undefined;
    if (typeof schema.minLength === "number" && value.length < schema.minLength) return undefined;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) return undefined;
    if (typeof schema.maximum === "number" && value > schema.maximum) return undefined;
  }
  return value;
}

/**
 * Gives properties of the document's schemas an `example` that looks like the gateway's data (ObjectIds,
 * e-mails, ISO dates, URLs, names, sizes), made with faker seeded by the property's place in the
 * document: the same spec always gets the same values, whatever order they are visited in.
 * openapi-sampler then takes these examples (it prefers a schema's `example` to its own placeholder),
 * and every response example is still validated against its schema afterwards. Returns how many
 * properties got one.
 */
export function addBelievableExamples(document: {
  components?: { schemas?: Record<string, unknown> };
  paths: Record<string, unknown>;
}): number {
  faker.setDefaultRefDate(REFERENCE_DATE);
  let count = 0;
  const seen = new Set<unknown>();
  const annotate = (name: string, schema: Schema, where: string) => {
    const seed = Number.parseInt(createHash("sha256").update(where).digest("hex").slice(0, 12), 16);
    faker.seed(seed);
    const value = valueFor(name, schema);
    if (value !== undefined) {
      schema.example = value;
      count++;
    }
  };
  const visit = (node: unknown, where: string) => {
    if (!node || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        visit(n, `${where}/${i}`);
      });
      return;
    }
    const schema = node as Schema;
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (properties && typeof properties === "object") {
      for (const [name, sub] of Object.entries(properties)) {
        if (!sub || typeof sub !== "object") continue;
        // `ids: string[]` and the like: the items are what holds the value.
        const items = typeOf(sub) === "array" ? (sub.items as Schema | undefined) : undefined;
        if (items && typeof items === "object" && !Array.isArray(items)) {
          annotate(name.replace(/s$/, ""), items, `${where}/${name}/items`);
        } else annotate(name, sub, `${where}/${name}`);
        // "An id or the object" (`anyOf: [{$ref: APIUser}, {type: string}]`): the plain alternatives too.
        for (const key of ["anyOf", "oneOf"]) {
          const list = sub[key];
          if (!Array.isArray(list)) continue;
          list.forEach((alt, i) => {
            if (alt && typeof alt === "object" && !("$ref" in alt))
              annotate(name, alt as Schema, `${where}/${name}/${key}/${i}`);
          });
        }
      }
    }
    for (const [key, value] of Object.entries(schema)) {
      if (key !== "example") visit(value, `${where}/${key}`);
    }
  };
  visit(document.components?.schemas, "#/components/schemas");
  visit(document.paths, "#/paths");
  return count;
}

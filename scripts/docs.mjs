// `scripts/pnpm docs`: the API reference, a static HTML site made by TypeDoc from the TSDoc of every
// public export of the packages listed in typedoc.json's `entryPoints` (the one list of covered
// packages). Any warning fails the build: TypeDoc's own (a type referenced but not exported, a broken
// {@link}) and ours, below: every public export has a summary and an `@example` with a ```ts block.
// tests/docs builds it the same way and then checks the links and type-checks every example.
//
//   node scripts/docs.mjs [--out DIR]     (default docs/api; DIR/api.json is TypeDoc's JSON model)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Where .github/workflows/docs.yml publishes the reference (GitHub Pages of the repository). */
export const PAGES_URL = "https://dataloop-ts.github.io/dataloop-ts/";

/**
 * Public exports whose documentation is not yet held to the standard, by `package[/entry]#name`:
 * they may lack a summary or an `@example`, and their examples may not type-check. The build warns
 * about any other undocumented export and about an entry here that is gone; tests/docs fails when an
 * entry here has a summary and examples that type-check (remove it), so this list can only shrink.
 * tests/docs prints it on every run.
 * An entry is for an export whose file other work is rewriting, or one not documented yet: document it
 * there, then remove it here.
 * @type {readonly string[]}
 */
export const notYetDocumented = [
  "@dataloop-ts/client#BatchOptions",
  "@dataloop-ts/client#BatchResult",
  "@dataloop-ts/client#BatchSummary",
  "@dataloop-ts/client#CallOptions",
  "@dataloop-ts/client#Credentials",
  "@dataloop-ts/client#DataloopApiError",
  "@dataloop-ts/client#DataloopClient",
  "@dataloop-ts/client#DataloopClientOptions",
  "@dataloop-ts/client#DataloopConnectionError",
  "@dataloop-ts/client#DataloopResponseError",
  "@dataloop-ts/client#DeadlineOption",
  "@dataloop-ts/client#DownloadIncompleteError",
  "@dataloop-ts/client#DqlCondition",
  "@dataloop-ts/client#DqlFilter",
  "@dataloop-ts/client#DqlOperator",
  "@dataloop-ts/client#DqlResources",
  "@dataloop-ts/client#DqlValue",
  "@dataloop-ts/client#Item",
  "@dataloop-ts/client#ItemSource",
  "@dataloop-ts/client#OperationName",
  "@dataloop-ts/client#Page",
  "@dataloop-ts/client#PaginateOptions",
  "@dataloop-ts/client#QueryOptions",
  "@dataloop-ts/client#ResultClient",
  "@dataloop-ts/client#StreamSource",
  "@dataloop-ts/client#Succeeded",
  "@dataloop-ts/client#ThrowingClient",
  "@dataloop-ts/client#UnreadableSourceError",
  "@dataloop-ts/client#UploadCorruptedError",
  "@dataloop-ts/client#UploadEntry",
  "@dataloop-ts/client#UploadItemOptions",
  "@dataloop-ts/client#UploadNotReplayableError",
  "@dataloop-ts/client#UploadedItem",
  "@dataloop-ts/client#apiSpec",
  "@dataloop-ts/client#createDataloopClient",
  "@dataloop-ts/client#downloadItem",
  "@dataloop-ts/client#operationIndex",
  "@dataloop-ts/client#paginate",
  "@dataloop-ts/client#queryDataset",
  "@dataloop-ts/client#uploadItem",
  "@dataloop-ts/client#uploadItems",
  "@dataloop-ts/client#uploadLink",
  "@dataloop-ts/client/annotations#Annotation",
  "@dataloop-ts/client/annotations#AnnotationBody",
  "@dataloop-ts/client/annotations#AnnotationCommon",
  "@dataloop-ts/client/annotations#AnnotationEntry",
  "@dataloop-ts/client/annotations#AnnotationInput",
  "@dataloop-ts/client/annotations#AnnotationInputError",
  "@dataloop-ts/client/annotations#AnnotationMetadata",
  "@dataloop-ts/client/annotations#AnnotationNotExpressibleError",
  "@dataloop-ts/client/annotations#AnnotationPlace",
  "@dataloop-ts/client/annotations#AnnotationShapes",
  "@dataloop-ts/client/annotations#AnnotationSystemMetadata",
  "@dataloop-ts/client/annotations#AnnotationType",
  "@dataloop-ts/client/annotations#AnnotationUploadResult",
  "@dataloop-ts/client/annotations#AnnotationUploadSummary",
  "@dataloop-ts/client/annotations#CocoAnnotation",
  "@dataloop-ts/client/annotations#CocoCategory",
  "@dataloop-ts/client/annotations#CocoFile",
  "@dataloop-ts/client/annotations#CocoImage",
  "@dataloop-ts/client/annotations#CocoIndex",
  "@dataloop-ts/client/annotations#Conversion",
  "@dataloop-ts/client/annotations#ConversionIssue",
  "@dataloop-ts/client/annotations#CubeCoordinates",
  "@dataloop-ts/client/annotations#DataloopToCocoOptions",
  "@dataloop-ts/client/annotations#DataloopToYolo",
  "@dataloop-ts/client/annotations#DownloadAnnotationsOptions",
  "@dataloop-ts/client/annotations#EllipseCoordinates",
  "@dataloop-ts/client/annotations#ItemAnnotationsJson",
  "@dataloop-ts/client/annotations#ItemNotFoundError",
  "@dataloop-ts/client/annotations#Mask",
  "@dataloop-ts/client/annotations#MaskDataUrl",
  "@dataloop-ts/client/annotations#NoteCoordinates",
  "@dataloop-ts/client/annotations#NoteMessage",
  "@dataloop-ts/client/annotations#Point",
  "@dataloop-ts/client/annotations#PoseCoordinates",
  "@dataloop-ts/client/annotations#Rle",
  "@dataloop-ts/client/annotations#Source",
  "@dataloop-ts/client/annotations#StoredAnnotation",
  "@dataloop-ts/client/annotations#TextCoordinates",
  "@dataloop-ts/client/annotations#UploadAnnotationsOptions",
  "@dataloop-ts/client/annotations#WireCoordinates",
  "@dataloop-ts/client/annotations#YoloLabelFile",
  "@dataloop-ts/client/annotations#YoloOutputFile",
  "@dataloop-ts/client/annotations#binary",
  "@dataloop-ts/client/annotations#box",
  "@dataloop-ts/client/annotations#buildAnnotation",
  "@dataloop-ts/client/annotations#builders",
  "@dataloop-ts/client/annotations#classification",
  "@dataloop-ts/client/annotations#cocoToDataloop",
  "@dataloop-ts/client/annotations#countsFromString",
  "@dataloop-ts/client/annotations#countsToString",
  "@dataloop-ts/client/annotations#cube",
  "@dataloop-ts/client/annotations#dataloopToCoco",
  "@dataloop-ts/client/annotations#dataloopToYolo",
  "@dataloop-ts/client/annotations#decodeMask",
  "@dataloop-ts/client/annotations#downloadAnnotations",
  "@dataloop-ts/client/annotations#ellipse",
  "@dataloop-ts/client/annotations#encodeMask",
  "@dataloop-ts/client/annotations#indexCoco",
  "@dataloop-ts/client/annotations#isKnownType",
  "@dataloop-ts/client/annotations#itemDescription",
  "@dataloop-ts/client/annotations#maskToCounts",
  "@dataloop-ts/client/annotations#note",
  "@dataloop-ts/client/annotations#parseYoloNames",
  "@dataloop-ts/client/annotations#point",
  "@dataloop-ts/client/annotations#polygon",
  "@dataloop-ts/client/annotations#polyline",
  "@dataloop-ts/client/annotations#pose",
  "@dataloop-ts/client/annotations#readAnnotation",
  "@dataloop-ts/client/annotations#rleToMask",
  "@dataloop-ts/client/annotations#segment",
  "@dataloop-ts/client/annotations#subtitle",
  "@dataloop-ts/client/annotations#uploadAnnotations",
  "@dataloop-ts/client/annotations#yoloDataYaml",
  "@dataloop-ts/client/annotations#yoloToDataloop",
  "@dataloop-ts/client/annotations/node#jsonPathOf",
  "@dataloop-ts/client/annotations/node#openCocoFile",
  "@dataloop-ts/client/annotations/node#readCocoFile",
  "@dataloop-ts/client/annotations/node#readItemJsons",
  "@dataloop-ts/client/annotations/node#readYoloFolder",
  "@dataloop-ts/client/annotations/node#writeChunksAtomic",
  "@dataloop-ts/client/annotations/node#writeItemJsons",
  "@dataloop-ts/client/annotations/node#writeYoloFolder",
  "@dataloop-ts/client/node#DownloadFileOptions",
  "@dataloop-ts/client/node#DownloadItemsOptions",
  "@dataloop-ts/client/node#DownloadMismatchError",
  "@dataloop-ts/client/node#DownloadedFile",
  "@dataloop-ts/client/node#DuplicateRemotePathError",
  "@dataloop-ts/client/node#FileSource",
  "@dataloop-ts/client/node#ItemNotFoundError",
  "@dataloop-ts/client/node#LocalPathConflictError",
  "@dataloop-ts/client/node#SpecialFileError",
  "@dataloop-ts/client/node#SymlinkNotFollowedError",
  "@dataloop-ts/client/node#UnsafeItemNameError",
  "@dataloop-ts/client/node#UnsafeLocalPathError",
  "@dataloop-ts/client/node#WalkOptions",
  "@dataloop-ts/client/node#downloadFile",
  "@dataloop-ts/client/node#downloadItems",
  "@dataloop-ts/client/node#entriesOf",
  "@dataloop-ts/client/node#fileSource",
  "@dataloop-ts/client/node#partPathOf",
  "@dataloop-ts/client/node#uploadDirectory",
  "@dataloop-ts/client/node#uploadFile",
  "@dataloop-ts/mock#FaultRule",
  "@dataloop-ts/mock#GatewayTwin",
  "@dataloop-ts/mock#LoggedRequest",
  "@dataloop-ts/mock#MockGateway",
  "@dataloop-ts/mock#MockGatewayOptions",
  "@dataloop-ts/mock#MockSpec",
  "@dataloop-ts/mock#MockSpecOptions",
  "@dataloop-ts/mock#SpecValidator",
  "@dataloop-ts/mock#TwinFault",
  "@dataloop-ts/mock#TwinFixtures",
  "@dataloop-ts/mock#TwinFixturesError",
  "@dataloop-ts/mock#TwinOptions",
  "@dataloop-ts/mock#createSpecValidator",
  "@dataloop-ts/mock#defaultCacheDir",
  "@dataloop-ts/mock#prepareMockSpec",
  "@dataloop-ts/mock#startMockGateway",
  "@dataloop-ts/mock/light#DEFAULT_BOT",
  "@dataloop-ts/mock/light#FrontOptions",
  "@dataloop-ts/mock/light#Handler",
  "@dataloop-ts/mock/light#MockUser",
  "@dataloop-ts/mock/light#Page",
  "@dataloop-ts/mock/light#TokenRoute",
  "@dataloop-ts/mock/light#TokenRouteCalls",
  "@dataloop-ts/mock/light#TokenRouteMode",
  "@dataloop-ts/mock/light#TokenRouteOptions",
  "@dataloop-ts/mock/light#echoApi",
  "@dataloop-ts/mock/light#gatewayFront",
  "@dataloop-ts/mock/light#startEchoGateway",
];

const KIND = {
  module: 2,
  namespace: 4,
  enum: 8,
  variable: 32,
  function: 64,
  class: 128,
  interface: 256,
  type: 2097152,
  reference: 4194304,
};
const DECLARATIONS = new Set([
  KIND.namespace,
  KIND.enum,
  KIND.variable,
  KIND.function,
  KIND.class,
  KIND.interface,
  KIND.type,
]);

/**
 * The types openapi-typescript generates from the spec, by `package#name`: their members are every
 * route, schema and operation of the API (about 100 MB of HTML, a page no browser opens), so their
 * pages show the summary and example written at their export, and point at the spec's own viewers
 * instead (`dataloop-mock`'s Swagger UI, @dataloop-ts/spec).
 */
export const membersNotListed = [
];

const text = (parts = []) => parts.map((p) => p.text).join("");

/**
 * Every public export in TypeDoc's JSON model, once per declaration: a type that one package
 * re-exports from another (`DataloopError` from auth, `SpecManifest` from spec) is documented where
 * it is defined, so it is listed once, under the package that defines it.
 * @param {{ children?: any[] }} project TypeDoc's JSON model (`api.json`)
 * @returns {{ id: string; file: string; summary: string; examples: string[] }[]}
 */
export function publicExports(project) {
  const byDeclaration = new Map();
  const byId = new Map();
  const references = [];
  const visit = (node, entry) => {
    for (const child of node.children ?? []) {
      if (child.kind === KIND.module) {
        // A package with several entry points has one module each, named as imported (main, below).
        visit(child, child.name);
        continue;
      }
      if (child.kind === KIND.reference) references.push({ entry, name: child.name, target: child.target });
      if (!DECLARATIONS.has(child.kind)) continue;
      const file = child.sources?.[0]?.fileName ?? "";
      // A re-export from another package is read from that package's dist/*.d.ts: one key for both.
      const key = `${file.replace(/^.*?([\w-]+)\/(?:src|dist)\/(.+?)(?:\.d)?\.ts$/, "$1/$2")}#${child.name}`;
      const comment = child.comment ?? child.signatures?.find((s) => s.comment)?.comment;
      const examples = (comment?.blockTags ?? [])
        .filter((t) => t.tag === "@example")
        .flatMap((t) =>
          [...text(t.content).matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)].map((m) => m[1]),
        );
      const found = { id: `${entry}#${child.name}`, file, summary: text(comment?.summary).trim(), examples };
      // Listed where it is defined (not a dist/*.d.ts), and under the narrowest entry point that
      // exports it: what `@dataloop-ts/mock` re-exports from `@dataloop-ts/mock/light` is light's.
      byId.set(child.id, found);
      const known = byDeclaration.get(key);
      const rank = (e) => [e.file.includes("/dist/") ? 0 : 1, e.id.indexOf("#")];
      const [knownSrc, knownDepth] = known ? rank(known) : [-1, -1];
      const [src, depth] = rank(found);
      if (src > knownSrc || (src === knownSrc && depth > knownDepth)) byDeclaration.set(key, found);
    }
  };
  for (const pkg of project.children ?? []) visit(pkg, pkg.name);
  // TypeDoc converts a declaration that two entry points of a package export once, under the first, and
  // makes the other's a reference: it is listed under the narrowest (`@dataloop-ts/mock/light#TokenRoute`).
  for (const { entry, name, target } of references) {
    const found = byId.get(target);
    const at = found?.id.indexOf("#") ?? -1;
    if (found && entry.length > at && entry.startsWith(`${found.id.slice(0, at)}/`))
      found.id = `${entry}#${name}`;
  }
  return [...byDeclaration.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * What is wrong with the documentation of `exports`, one line each: an export with no summary or no
 * example that is not on the allow-list, and an allow-list entry that is no public export any more.
 * (An entry whose summary and examples all pass is found by tests/docs, which type-checks them.)
 * @param {{ id: string; file: string; summary: string; examples: string[] }[]} exports
 * @param {readonly string[]} pending
 * @returns {string[]}
 */
export function coverageProblems(exports, pending = notYetDocumented) {
  const problems = [];
  const ids = new Set(exports.map((e) => e.id));
  for (const e of exports) {
    const missing = [
      !e.summary && "a summary",
      e.examples.length === 0 && "an @example with a ```ts block",
    ].filter(Boolean);
    if (missing.length > 0 && !pending.includes(e.id))
      problems.push(`${e.id} (${e.file}) lacks ${missing.join(" and ")}`);
  }
  for (const id of pending)
    if (!ids.has(id))
      problems.push(`${id} is no public export: remove it from notYetDocumented in scripts/docs.mjs`);
  return problems;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string", default: "docs/api" } } });
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const out = resolve(values.out);
  process.chdir(root);
  const td = await import("typedoc");
  const app = await td.Application.bootstrapWithPlugins({ options: join(root, "typedoc.json"), out }, [
    new td.TypeDocReader(),
    new td.PackageJsonReader(),
    new td.TSConfigReader(),
  ]);
  // As TypeDoc's own CLI does, with treatWarningsAsErrors (typedoc.json): stop at the first warning.
  const failed = () => app.logger.hasErrors() || app.logger.hasWarnings();
  const project = failed() ? undefined : await app.convert();
  // A package with several entry points gets a module each, named by its subpath: "" for ".", which
  // shows as an empty title. Each is named as it is imported instead (@dataloop-ts/auth/node).
  for (const pkg of project?.children ?? [])
    for (const entry of pkg.children ?? [])
      if (entry.kindOf(td.ReflectionKind.Module))
        entry.name = entry.name === "" || entry.name === "index" ? pkg.name : `${pkg.name}/${entry.name}`;
  for (const entry of project?.getReflectionsByKind(td.ReflectionKind.Module) ?? [])
    for (const child of entry.children ?? [])
      if (membersNotListed.includes(`${entry.name}#${child.name}`))
        for (const member of [...(child.children ?? [])]) project?.removeReflection(member);
  if (project && !failed()) app.validate(project);
  if (project && !failed()) {
    const model = app.serializer.projectToObject(project, root);
    for (const problem of coverageProblems(publicExports(model))) app.logger.warn(problem);
    if (!failed()) {
      await app.generateOutputs(project);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, "api.json"), JSON.stringify(model));
    }
  }
  if (failed() || !project) {
    console.error(
      `docs: ${app.logger.errorCount} errors, ${app.logger.warningCount} warnings (each one fails the build)`,
    );
    process.exit(1);
  }
}

if (import.meta.main) await main();

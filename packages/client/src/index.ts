export { type OperationName, operationIndex } from "./generated/operations.js";
export type { components, operations, paths } from "./generated/schema.js";

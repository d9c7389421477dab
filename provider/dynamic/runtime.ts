export * from "../engine/runtime";

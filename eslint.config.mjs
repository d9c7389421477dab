// One linter for the whole tree: typescript-eslint's strict type-aware rules (they read the types tsconfig.json
// gives every file). Run by `npm run lint`, which `npm test` runs first. Every relaxation below says why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "**/*.js", "eslint.config.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // Numbers and booleans print unambiguously in a message; objects, undefined and null still may not.
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
            // `() => void f()` is not needed for a one-line callback whose value nobody reads.
            "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
            // A leading underscore marks a binding left unused on purpose (a rest-destructuring that drops fields,
            // a callback's positional parameter), as tsc's noUnusedLocals/noUnusedParameters already accept.
            "@typescript-eslint/no-unused-vars": [
                "error",
                {
                    argsIgnorePattern: "^_",
                    varsIgnorePattern: "^_",
                    caughtErrorsIgnorePattern: "^_",
                    destructuredArrayIgnorePattern: "^_",
                },
            ],
            // A callback made before the value exists reads it later (bench/cliStack.ts `created`): that needs `let`.
            "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
            // `async` without `await` is how a Promise-returning interface (MaterialWrapper.wrap, a mocha test, a
            // credential provider) is implemented so that a throw becomes a rejection, as its callers expect.
            "@typescript-eslint/require-await": "off",
            // Redaction and the tests' leak scans match control characters on purpose (terminal escapes, NULs).
            "no-control-regex": "off",
            // `interface X extends Derived<typeof SCHEMA> {}` names a type derived from a schema (material/schema.ts):
            // an interface, unlike an alias, shows its name in editors and error messages.
            "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
        },
    },
    {
        files: ["test/**/*.ts"],
        rules: {
            // Tests index fixtures they just built; a wrong `!` throws at once with a stack, which fails the test.
            "@typescript-eslint/no-non-null-assertion": "off",
            // `delete process.env[name]` (and of a workspace's env entry) is how a test unsets a variable it set.
            "@typescript-eslint/no-dynamic-delete": "off",
            // Tests assert on values from outside the type system (exported states, CLI output, parsed JSON) whose
            // types say what they should be; checking what they are is the test.
            "@typescript-eslint/no-unnecessary-condition": "off",
        },
    },
);

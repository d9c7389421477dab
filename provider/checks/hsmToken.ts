import { existsSync } from "node:fs";
import { HsmError, preflightHsmMaterial } from "../hsm";
import { LIBRARY } from "../hsm/library";
import { libraryPathProblem } from "../hsm/libraryPath";
import { parsePkcs11Uri } from "../hsm/uri";
import { defaultWrapping, isWrappingAlgorithm, isWrappingKeySpec } from "../wrapping/algorithms";
import { isKeySpec } from "../wrapping/keySpecs";
import { CheckFailure } from "./answers";
import type { ProviderContext } from "../client/context";
import { isUnknown, plainInputs } from "./engineValues";

/**
 * Check, the part that asks the token (hsmKey): run at preview after the input checks passed, so that what the
 * token cannot do fails before `up` (the library's path and the allow-list, the PIN, the object and its policy,
 * the wrapping algorithm with the token's own list, generation), with the same code the import runs. The token
 * is asked only for a new resource or when what decides the import changed: previews of an unchanged stack
 * (drift checks in CI) need no HSM, as refresh and destroy need none. The library path is checked every time.
 */

const DECIDING = [
    "keyId",
    "hsmKey",
    "hsmPin",
    "hsmModuleParameters",
    "hsmGenerate",
    "keySpec",
    "wrappingAlgorithm",
    "wrappingKeySpec",
];

export async function checkHsmToken(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    context: ProviderContext,
): Promise<CheckFailure[]> {
    const inputs = plainInputs(news);
    const hsmKey = inputs["hsmKey"];
    // A key created in the same run is unknown at preview; what the token is asked is known.
    if (
        typeof hsmKey !== "string" ||
        hsmKey === "" ||
        DECIDING.some((name) => name !== "keyId" && isUnknown(inputs[name]))
    )
        return [];
    const uri = parsePkcs11Uri(hsmKey).uri;
    if (!uri) return [];
    const allowed = context.settings.hsmAllowedModulePaths;
    const badEntry = allowed?.find((entry) => !entry.startsWith("/"));
    if (badEntry !== undefined)
        return [
            failure(
                "config pulumi-kms-byok:hsmAllowedModulePaths must list absolute paths of libraries (or of " +
                    "directories, ending in /)",
            ),
        ];
    const previous = plainInputs(olds);
    const unchanged =
        Object.keys(previous).length > 0 &&
        DECIDING.every((name) => JSON.stringify(previous[name]) === JSON.stringify(inputs[name]));
    const modulePath = uri.modulePath ?? context.settings.hsmModulePath;
    // A library that is not on this machine loads nothing: an unchanged stack's preview needs none.
    const pathProblem =
        modulePath && !(unchanged && !existsSync(modulePath))
            ? libraryPathProblem(modulePath, LIBRARY, { allowed })
            : undefined;
    if (pathProblem) return [failure(pathProblem)];
    if (unchanged) return [];
    const keySpec = isKeySpec(inputs["keySpec"]) ? inputs["keySpec"] : undefined;
    try {
        await preflightHsmMaterial({
            hsmKey,
            hsmPin: text(inputs["hsmPin"]),
            hsmModuleParameters: text(inputs["hsmModuleParameters"]),
            hsmGenerate: inputs["hsmGenerate"] === true,
            keySpec,
            wrappingAlgorithm: isWrappingAlgorithm(inputs["wrappingAlgorithm"])
                ? inputs["wrappingAlgorithm"]
                : undefined,
            // As create resolves it (material/lifecycle.ts): the check runs the token with what create will use.
            wrappingKeySpec: isWrappingKeySpec(inputs["wrappingKeySpec"])
                ? inputs["wrappingKeySpec"]
                : defaultWrapping(keySpec ?? "SYMMETRIC_DEFAULT").wrappingKeySpec,
            settings: context.settings,
            env: context.env,
            log: context.log,
        });
        return [];
    } catch (error) {
        if (error instanceof HsmError) return [failure(error.message)];
        throw error;
    }
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** Never the property: the engine would print hsmKey's value next to it. */
const failure = (reason: string): CheckFailure => ({ property: "", reason });

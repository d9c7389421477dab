import assert from "node:assert/strict";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime";
import { assertNoMaterial } from "../assertions";
import type { CliRun, CliStack, StateResource } from "./cliStack";

/** Pulumi's marker of a secret value; in an export without --show-secrets it carries only a ciphertext. */
export const isEncryptedSecret = (value: unknown): boolean =>
    !!value &&
    typeof value === "object" &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig &&
    typeof (value as Record<string, unknown>)["ciphertext"] === "string";

/** The run succeeded; otherwise fail with what the user would have seen. */
export function ok(run: CliRun, context = `pulumi ${run.command}`): CliRun {
    assert.ok(run.ok, `${context} failed:\n${run.output.slice(-4000)}`);
    return run;
}

/** The run failed, and nothing it printed holds the material. */
export function failed(run: CliRun): CliRun {
    assert.ok(!run.ok, `pulumi ${run.command} succeeded, but a failure was expected:\n${run.output.slice(-2000)}`);
    return run;
}

/**
 * What must hold after every step: `keyMaterial` is stored as an encrypted secret; no output is the material;
 * nothing in `pulumi stack export` (without --show-secrets) holds it in any form.
 */
export async function assertStateKeepsSecrets(
    stack: CliStack,
    material: Buffer,
    resourceName = "byok-material",
): Promise<StateResource | undefined> {
    const state = await stack.exportState();
    assertNoMaterial(state.text, material, "pulumi stack export");
    const resource = state.resources.find((r) => r.name === resourceName);
    if (resource) {
        assert.ok(isEncryptedSecret(resource.inputs["keyMaterial"]), "keyMaterial is stored as an encrypted secret");
        assert.ok(
            !("keyMaterial" in resource.outputs) || isEncryptedSecret(resource.outputs["keyMaterial"]),
            "no plaintext keyMaterial output",
        );
    }
    return resource;
}

/** Nothing the CLI printed (stdout, stderr, the error, every engine event) holds the material. */
export function assertRunKeepsSecrets(run: CliRun, material: Buffer): void {
    assertNoMaterial(run.output, material, `the output of pulumi ${run.command}`);
    assertNoMaterial(JSON.stringify(run.events), material, `the engine events of pulumi ${run.command}`);
}

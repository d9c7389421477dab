// The measured stack's program: N ImportedKeyMaterial resources, one per EXTERNAL key created beforehand
// (outside the stack: the @pulumi/aws plugin cannot be downloaded offline), each with 32 fresh random bytes
// of symmetric material, passed as a secret, as a user's `config.requireSecret(...)` gives it. The program
// runs inline in the bench process (Automation API), so the materials never leave it except as the
// provider's inputs (secret) and the state's encrypted secrets; they are never printed.

import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { ImportedKeyMaterial } from "../provider";
import { materialName } from "./world";

export interface MaterialSet {
    keyIds: readonly string[];
    /** The program declaring every material with this validTo. */
    program(validTo: string): PulumiFn;
    /** Forgets the materials (the program must not run afterwards). */
    dispose(): void;
}

export function materialSet(keyIds: readonly string[]): MaterialSet {
    let materials: string[] | undefined = keyIds.map(() => {
        const bytes = randomBytes(32);
        const text = bytes.toString("base64");
        bytes.fill(0);
        return text;
    });
    return {
        keyIds,
        program: (validTo) => async () => {
            if (!materials) throw new Error("the bench's materials were disposed of");
            materials.forEach((material, i) => {
                new ImportedKeyMaterial(materialName(i), {
                    keyId: keyIds[i],
                    keyMaterial: pulumi.secret(material),
                    validTo,
                });
            });
        },
        dispose: () => {
            materials = undefined;
        },
    };
}

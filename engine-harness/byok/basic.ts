// The basic example (examples/basic/index.ts) as an engine-harness program: the EXTERNAL key (stand-in)
// and its ImportedKeyMaterial (our real dynamic provider, serialized as dynamic.Resource serializes it,
// with the material secret and the options ImportedKeyMaterial's constructor sets).

import { IMPORTED_KEY_MATERIAL_TYPE, importedKeyMaterialProvider } from "../../provider";
import { ref, secret, type InputValue, type Program, type ResourceDeclaration } from "../program";
import type { SerializedProvider } from "../serialize";
import { EXTERNAL_KEY_TYPE, externalKeyStandIn, type KmsEndpoint } from "./externalKey";

export interface MaterialDeclaration {
    name: string;
    /** Name of the key resource in the same program. */
    key: string;
    /** Base64 key material (declared secret, as ImportedKeyMaterial does). */
    material: string;
    inputs?: Record<string, InputValue>;
    /** Another provider object or stored text, to simulate provider-code versions. */
    provider?: object | SerializedProvider;
}

export function keyDeclaration(kms: KmsEndpoint, name = "byok", inputs: Record<string, InputValue> = {}): ResourceDeclaration {
    return {
        name,
        type: EXTERNAL_KEY_TYPE,
        standIn: externalKeyStandIn(kms),
        inputs: { description: "payments BYOK", deletionWindowInDays: 7, ...inputs },
    };
}

export function materialDeclaration(m: MaterialDeclaration): ResourceDeclaration {
    return {
        name: m.name,
        type: IMPORTED_KEY_MATERIAL_TYPE,
        provider: m.provider ?? importedKeyMaterialProvider,
        inputs: { keyId: ref(m.key, "id"), keyMaterial: secret(m.material), ...(m.inputs ?? {}) },
        options: { additionalSecretOutputs: ["keyMaterial"] },
    };
}

/** examples/basic: `byok` (ExternalKey) and `byok-material` (ImportedKeyMaterial). */
export function basicProgram(kms: KmsEndpoint, material: string, materialInputs: Record<string, InputValue> = {}, provider?: object | SerializedProvider): Program {
    return [keyDeclaration(kms), materialDeclaration({ name: "byok-material", key: "byok", material, inputs: materialInputs, provider })];
}

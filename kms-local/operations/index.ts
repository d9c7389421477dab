// The operation registry: name → handler. Operations not listed here get UnknownOperationException.

import { createAlias, listAliases } from "./aliases.js";
import type { Handler } from "./context.js";
import { decrypt, encrypt, getPublicKey } from "./cryptoOps.js";
import { deleteImportedKeyMaterial } from "./deleteImportedKeyMaterial.js";
import { getParametersForImport } from "./getParametersForImport.js";
import { importKeyMaterial } from "./importKeyMaterial.js";
import { createKey, describeKey, listKeys } from "./keys.js";
import { cancelKeyDeletion, disableKey, enableKey, scheduleKeyDeletion } from "./lifecycle.js";
import { replicateKey } from "./replicateKey.js";
import { getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from "./rotations.js";
import { generateMac, sign, verify, verifyMac } from "./signVerify.js";

export const OPERATIONS: Readonly<Record<string, Handler>> = {
    CreateKey: createKey,
    DescribeKey: describeKey,
    ListKeys: listKeys,
    GetParametersForImport: getParametersForImport,
    ImportKeyMaterial: importKeyMaterial,
    DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
    ListKeyRotations: listKeyRotations,
    RotateKeyOnDemand: rotateKeyOnDemand,
    GetKeyRotationStatus: getKeyRotationStatus,
    ScheduleKeyDeletion: scheduleKeyDeletion,
    CancelKeyDeletion: cancelKeyDeletion,
    EnableKey: enableKey,
    DisableKey: disableKey,
    Encrypt: encrypt,
    Decrypt: decrypt,
    GetPublicKey: getPublicKey,
    Sign: sign,
    Verify: verify,
    GenerateMac: generateMac,
    VerifyMac: verifyMac,
    ReplicateKey: replicateKey,
    CreateAlias: createAlias,
    ListAliases: listAliases,
};

/** Operations that change a key's state; with S29 their change shows in DescribeKey only after a delay. */
export const STATE_CHANGING = new Set([
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
]);

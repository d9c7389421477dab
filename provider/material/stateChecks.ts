import { KeyMaterialError } from "../kms/errors";
import { isKeyMaterialId } from "../kms/status";
import { endpointName } from "./plan";
import { MaterialOutputs, bareKeyId, resourceId, shortLabel } from "./properties";

/**
 * The state is data anyone with access to the backend can edit, and refresh and destroy act on it without
 * running the program. Before a call that deletes or replaces material (delete, update), what the state says
 * must agree with itself: the resource ID is keyArn#keyMaterialId, keyId names the key keyArn names, the
 * Region is the ARN's, the material id has KMS's form. A state that disagrees is refused, never acted on: an
 * edited keyArn or keyMaterialId would delete another key's or another resource's material. (A state edited
 * consistently in every field is indistinguishable from a genuine one; what KMS says is checked by the
 * workflows: the key spec before a delete without a material id, see kms/deleteMaterial.ts.)
 */

const KEY_ARN =
    /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** What disagrees, in words naming the fields (never their values: the state may hold anything). */
export function stateDisagreements(olds: MaterialOutputs, id: string | undefined): string[] {
    const problems: string[] = [];
    const arn = typeof olds.keyArn === "string" ? KEY_ARN.exec(olds.keyArn) : null;
    if (!arn) problems.push("keyArn is not a KMS key ARN");
    const materialId = olds.keyMaterialId;
    if (materialId !== null && !isKeyMaterialId(materialId)) {
        problems.push("keyMaterialId is not a KMS KeyMaterialId (64 lower-case hex characters)");
    }
    if (id !== undefined && id !== resourceId(olds.keyArn, materialId))
        problems.push("the resource ID is not keyArn#keyMaterialId");
    if (typeof olds.keyId !== "string" || bareKeyId(olds.keyId) !== arn?.[2])
        problems.push("keyId names another key than keyArn");
    if (arn && olds.region && olds.region !== arn[1]) problems.push("region is not keyArn's Region");
    return problems;
}

export function assertStateAgrees(olds: MaterialOutputs, id: string | undefined, action: "delete" | "update"): void {
    const problems = stateDisagreements(olds, id);
    if (problems.length === 0) return;
    throw new KeyMaterialError(
        `refusing to ${action} this resource: its state disagrees with itself (${problems.join("; ")}), so ` +
            `it was edited or damaged, ` +
            "and acting on it could delete or replace another key's or another resource's material. " +
            "Nothing was sent to KMS. " +
            "Restore the state from a backup (`pulumi stack import`), or remove the resource from the " +
            "state (`pulumi state delete`) " +
            "and delete the material you mean by its key ARN and KeyMaterialId",
    );
}

/** Said on destroy when the stack names another endpoint now: the delete goes where the material was imported. */
export function relocationNotice(
    olds: MaterialOutputs,
    recorded: string | null,
    current: string | null,
): string | undefined {
    if (recorded === current) return undefined;
    return (
        `${shortLabel(olds)}: the delete goes to ${endpointName(recorded)}, where the material was imported, ` +
        `not to ${endpointName(current)}, which the stack now names`
    );
}

import { assumeRoleProblems } from "../client/credentialSettings";
import { ProviderSettings, ResourceClientInputs } from "../client/settings";
import { ConfigurationSource, TargetProblem, resolveKmsTarget } from "../client/target";
import { Fail, failureCollector, isOrigin, known } from "./rules";
import { CheckFailure } from "./answers";
import { isUnknown, plainInputs } from "./engineValues";

/**
 * Check, the part that depends on the stack's configuration and the host's environment: where requests
 * would go (endpoint trust, for KMS and for STS), the credentials settings, the bounds of every numeric
 * setting. The dynamic-provider host always runs `configure` before the first `check`, so preview refuses
 * these before any AWS call. The target's problems are those every session refuses (client/target.ts), here
 * reported one by one and attributed to the property that caused them.
 */

export interface SettingsContext {
    settings: ProviderSettings;
    env: Record<string, string | undefined>;
}

/** AWS's partitions' Region names, for aws:skipRegionValidation = false (@pulumi/aws's static validation). */
const PARTITION_REGIONS = [
    /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
    /^cn-\w+-\d+$/,
    /^eusc-de-\w+-\d+$/,
    /^us-iso-\w+-\d+$/,
    /^us-isob-\w+-\d+$/,
    /^eu-isoe-\w+-\d+$/,
    /^us-isof-\w+-\d+$/,
    /^us-gov-\w+-\d+$/,
];

export function checkSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[] {
    const inputs = plainInputs(news);
    const { fail, failures } = failureCollector(inputs);
    const resource = clientInputs(inputs, fail);
    if (!resource) return failures();
    const { settings, problems } = resolveKmsTarget(resource, context.settings, context.env);
    for (const problem of problems) report(problem, settings.chosenBy, settings.kmsEndpoint, fail);
    const region = settings.region;
    if (context.settings.skipRegionValidation === false && region && !PARTITION_REGIONS.some((r) => r.test(region))) {
        fail(
            typeof inputs["region"] === "string" ? "region" : "",
            "the Region is not one of AWS's Region names (aws:skipRegionValidation is false)",
        );
    }
    return failures();
}

/** check's words for a target problem; a malformed endpoint input is reported by the input checks already. */
function report(
    problem: TargetProblem,
    chosenBy: string | undefined,
    kmsEndpoint: string | undefined,
    fail: Fail,
): void {
    const property = chosenBy === "input endpoint" ? "endpoint" : "";
    switch (problem.rule) {
        case "configuration":
            fail(...configurationFailure(problem.source, problem.problem));
            return;
        case "sts endpoint": {
            fail("", `roles cannot be assumed through this STS endpoint: ${problem.problem}`);
            return;
        }
        case "kms endpoint":
            if (property && !isOrigin(kmsEndpoint ?? "")) return;
            {
                fail(property, `key material is sent only to a trusted KMS endpoint: ${problem.problem}`);
                return;
            }
        case "kms region":
            if (property && !isOrigin(kmsEndpoint ?? "")) return;
            {
                fail(
                    property,
                    `${problem.chosenBy} is AWS KMS of ${problem.endpointRegion}, but the key is in ` +
                        `${problem.keyRegion}; KMS keys are regional`,
                );
                return;
            }
    }
}

/**
 * The resource's inputs that decide where requests go. undefined when one is not known yet (preview of a
 * stack that computes it): the operations judge it then.
 */
function clientInputs(inputs: Record<string, unknown>, fail: Fail): ResourceClientInputs | undefined {
    const names = ["keyId", "region", "endpoint", "profile", "trustedEndpoints", "assumeRole"];
    if (names.some((name) => containsUnknown(inputs[name]))) return undefined;
    const text = (name: string) => (typeof inputs[name] === "string" ? inputs[name] : undefined);
    const trusted = inputs["trustedEndpoints"];
    const assumeRole = inputs["assumeRole"];
    if (known(assumeRole)) {
        const problems = assumeRoleProblems(assumeRole, "assumeRole");
        if (!(assumeRole as Record<string, unknown> | null)?.["roleArn"] && problems.length === 0)
            problems.push("assumeRole.roleArn is required");
        for (const problem of problems) fail("assumeRole", problem);
        if (problems.length > 0) return undefined;
    }
    return {
        keyId: text("keyId"),
        region: text("region"),
        endpoint: text("endpoint"),
        profile: text("profile"),
        trustedEndpoints: Array.isArray(trusted)
            ? trusted.filter((t): t is string => typeof t === "string")
            : undefined,
        assumeRole: known(assumeRole) ? (assumeRole as ResourceClientInputs["assumeRole"]) : undefined,
    };
}

function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** The property and words of a configuration problem (an environment variable's names itself). */
function configurationFailure(source: ConfigurationSource, problem: string): [string, string] {
    switch (source) {
        case "resource trustedEndpoints":
            return ["trustedEndpoints", problem];
        case "stack trustedEndpoints":
            return ["", `config pulumi-kms-byok:${problem}`];
        case "environment":
            return ["", problem];
        case "stack":
            return ["", `stack configuration: ${problem}`];
    }
}

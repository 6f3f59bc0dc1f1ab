// The shape of an IAM role ARN, checked before any AWS call (IAM User Guide, "IAM identifiers":
// arn:<partition>:iam::<account>:role/<role name with path>). Partitions: aws, aws-cn, aws-us-gov
// and the isolated ones (aws-iso, aws-iso-b, ...): "aws", then dash-separated lowercase words. The
// account is 12 digits; IAM's region field is empty. A path is "/" or "/a/b/" of printable ASCII,
// at most 512 characters; a role name is 1 to 64 of letters, digits and + = , . @ _ -.
import { quoted } from "./limits.js";

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/;

export const ROLE_ARN_FORM =
  "an IAM role ARN, arn:<partition>:iam::<12-digit account>:role/<name> (or role/<path>/<name>), e.g. arn:aws:iam::<account>:role/fislat-fis";

/** Whether `text` has the shape of an IAM role ARN. */
export function isRoleArn(text: string): boolean {
  const m = ROLE_ARN.exec(text);
  return m !== null && (m[1] as string).length <= 512;
}

/** The refusal for a value that is not a role ARN, naming where it came from; undefined when it is one. */
export function roleArnProblem(where: string, text: string): string | undefined {
  if (isRoleArn(text)) return undefined;
  const hint = /^arn:[^:]*:iam::[^:]*:role\//.test(text)
    ? ""
    : /^[\w+=,.@-]{1,64}$/.test(text)
      ? " (a role's name alone is not enough: give its whole ARN, as the IAM console or fislat deploy shows it)"
      : "";
  return `${where} ${quoted(text, 120)} is not ${ROLE_ARN_FORM}${hint}`;
}

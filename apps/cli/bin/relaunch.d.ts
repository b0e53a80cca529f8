export declare const RELAUNCHED: "CINEMATCH_CLI_RELAUNCHED";

export type RelaunchPlan =
  | { readonly kind: "run" }
  | { readonly kind: "refuse"; readonly message: string }
  | {
      readonly kind: "relaunch";
      readonly command: string;
      readonly args: ReadonlyArray<string>;
      readonly env: Readonly<Record<string, string | undefined>>;
    };

export declare const relaunchPlan: (input: {
  readonly version: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly self: string;
  readonly args: ReadonlyArray<string>;
  readonly exists: (path: string) => boolean;
}) => RelaunchPlan;

// The synthesized template against CloudFormation's resource specification: CDK assertions on our
// own template cannot see that CloudFormation would refuse a property name (say, one passed through
// Fn::If in camelCase, which CDK does not translate); the specification can.
import { describe, expect, it } from "vitest";
import { synthesizeTemplate } from "../src/synth.js";
import { specProblems } from "./support/cfn-spec.js";

type Template = Parameters<typeof specProblems>[0];
const template = () => synthesizeTemplate() as unknown as Template;

describe("the probe environment template against CloudFormation's resource specification", () => {
  it("uses only resource types, property names and value types the specification defines", () => {
    expect(specProblems(template())).toEqual([]);
  });

  it("checks the service's load balancers inside both branches of Fn::If", () => {
    const t = template();
    const service = t.Resources.Service as { Properties: Record<string, unknown> };
    expect(service.Properties.LoadBalancers).toEqual({
      "Fn::If": [
        "WithLb",
        [{ ContainerName: "probe", ContainerPort: 80, TargetGroupArn: { Ref: "TargetGroup" } }],
        { Ref: "AWS::NoValue" },
      ],
    });
  });
});

describe("the specification check itself", () => {
  const base = (properties: Record<string, unknown>): Template => ({
    Parameters: { Subnets: { Type: "List<AWS::EC2::Subnet::Id>" }, Name: { Type: "String" } },
    Conditions: { C: {} },
    Resources: { Service: { Type: "AWS::ECS::Service", Properties: properties } },
  });

  it("refuses camelCase keys inside Fn::If, naming the specification's spelling", () => {
    const problems = specProblems(
      base({
        LoadBalancers: {
          "Fn::If": ["C", [{ containerName: "probe", containerPort: 80 }], { Ref: "AWS::NoValue" }],
        },
      }),
    );
    expect(problems).toEqual([
      "Service.LoadBalancers[if C true][0]: unknown property containerName (the specification spells it ContainerName)",
      "Service.LoadBalancers[if C true][0]: unknown property containerPort (the specification spells it ContainerPort)",
    ]);
  });

  it("refuses unknown properties, wrong types, unknown resource types and unknown conditions", () => {
    expect(specProblems(base({ DesiredCount: "1", Bogus: 1, EnableExecuteCommand: "false" }))).toEqual([
      'Service.DesiredCount: "1" is not an integer',
      "Service: unknown property Bogus",
      'Service.EnableExecuteCommand: "false" is not a boolean',
    ]);
    expect(specProblems(base({ NetworkConfiguration: { AwsvpcConfiguration: { Subnets: { Ref: "Name" } } } }))).toEqual(
      [
        'Service.NetworkConfiguration.AwsvpcConfiguration.Subnets: Ref "Name" does not give the list the specification expects',
      ],
    );
    expect(specProblems(base({ DesiredCount: { "Fn::If": ["Nope", 1, 2] } }))).toEqual([
      "Service.DesiredCount: Fn::If names unknown condition Nope",
    ]);
    expect(
      specProblems({
        Resources: { X: { Type: "AWS::ECS::Servic", Properties: {} }, Y: { Type: "AWS::SQS::Queue", Foo: 1 } },
      }),
    ).toEqual([
      "X: resource type AWS::ECS::Servic is not in the CloudFormation specification",
      "Y: unknown resource attribute Foo",
    ]);
  });

  it("accepts list parameters and Fn::If branches of the right type", () => {
    expect(
      specProblems(
        base({
          DesiredCount: { "Fn::If": ["C", 1, { Ref: "AWS::NoValue" }] },
          NetworkConfiguration: { AwsvpcConfiguration: { Subnets: { Ref: "Subnets" } } },
        }),
      ),
    ).toEqual([]);
  });
});

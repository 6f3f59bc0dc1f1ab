// The probe environment of the original setup (steps 1 to 8) as one CloudFormation stack: table,
// roles, log group, repository, task definition with the SSM agent sidecar FIS needs, cluster,
// service and an optional network load balancer. Everything account- or network-specific is a
// parameter or a pseudo parameter (AWS::AccountId, AWS::Region, AWS::Partition), so the template
// synthesized from this code deploys anywhere, without the CDK or a bootstrap stack. Optional
// parts are CloudFormation conditions, hence L1 constructs.

import { PROBE_ENV, PROBE_PATHS } from "@fislat/probe/contract";
import {
  Aws,
  CfnCondition,
  CfnDeletionPolicy,
  CfnOutput,
  CfnParameter,
  CfnWaitConditionHandle,
  aws_dynamodb as dynamodb,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  Fn,
  aws_iam as iam,
  aws_logs as logs,
  Stack,
  type StackProps,
  Token,
  Validations,
} from "aws-cdk-lib";
import type { Construct } from "constructs";

export const PROBE_CONTAINER = "probe";
export const SSM_AGENT_CONTAINER = "amazon-ssm-agent";
export const LOG_STREAM_PREFIX = "ecs";
export const PROBE_PORT = 80;

/**
 * The broadest CIDR the load balancer may admit: a /8, the original setup's widest example (an
 * office or VPN range, 10.0.0.0/8). Anything broader spans several organizations' networks and
 * opens /test, which makes the probe call DynamoDB, to strangers.
 */
export const MIN_CIDR_PREFIX = 8;
const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
/** Empty, or a dotted quad without leading zeros and a prefix from /8 to /32 (fislat deploy also checks host bits). */
export const ALLOWED_CIDR_PATTERN = `^$|^(${OCTET}\\.){3}${OCTET}/([89]|[12][0-9]|3[0-2])$`;

/**
 * The probe's health paths (@fislat/probe/contract): /live answers 200 while the process serves
 * HTTP, whatever DynamoDB does; /health turns 503 after HEALTH_FAILURE_SECONDS of failing round
 * trips, which is what the experiment observes.
 */
export const HEALTH_PATHS = { shallow: PROBE_PATHS.live, deep: PROBE_PATHS.health } as const;

/**
 * The container health check: the probe's own node fetches the path the HealthCheckPath
 * parameter names, on PORT (80 unless set), and exits 0 only on a 2xx.
 */
export const CONTAINER_HEALTH_SCRIPT =
  "fetch('http://127.0.0.1:'+(process.env.PORT||80)+'${HealthCheckPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))";

/**
 * The default SSM agent sidecar image, from ECR Public, as the FIS user guide's example for ECS
 * task actions names it. A parameter (SsmAgentImage): partitions without ECR Public (aws-cn, the
 * ISO partitions) need an image of their own (fislat deploy --sidecar-image).
 */
export const DEFAULT_SSM_AGENT_IMAGE = "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest";

/**
 * The tools the FIS action's SSM document uses in the sidecar: atd, curl-minimal, dig, jq, lsof
 * (FIS actions reference, aws:ecs:task-network-latency, installDependencies). Installed once at
 * the sidecar's start instead of by the document at each fault, which adds tens of seconds to a
 * fault's onset on a 0.25 vCPU task; the sidecar then says so (SIDECAR_DEPENDENCIES_ENV), and
 * fislat run sends installDependencies=false. Amazon Linux 2023 package names: at (atd),
 * bind-utils (dig). curl is not listed: the script below already uses the image's own curl
 * (curl-minimal or curl; installing one over the other would conflict).
 */
export const FIS_ACTION_PACKAGES = ["at", "bind-utils", "jq", "lsof"] as const;
/** Read by fislat run (packages/cli aws/fis-template.ts SIDECAR_DEPENDENCIES_ENV). */
export const SIDECAR_DEPENDENCIES_ENV = "FISLAT_FIS_DEPENDENCIES";

/**
 * The SSM agent sidecar's start-up, as the FIS user guide describes it for ECS task actions, plus
 * the action's tools (FIS_ACTION_PACKAGES) and atd running for the document's scheduled rollback.
 */
const SSM_SIDECAR_SCRIPT = [
  "set -e",
  `dnf upgrade -y && dnf install -y procps awscli ${FIS_ACTION_PACKAGES.join(" ")}`,
  "atd || echo 'atd did not start: the FIS action installs and starts it itself'",
  'RESPONSE=$(curl -s "$ECS_CONTAINER_METADATA_URI_V4/task")',
  'TASK_ARN=$(echo "$RESPONSE" | jq -r .TaskARN)',
  'AZ=$(echo "$RESPONSE" | jq -r .AvailabilityZone)',
  'ACTIVATION=$(aws ssm create-activation --iam-role "$MANAGED_INSTANCE_ROLE_NAME" --tags Key=ECS_TASK_AVAILABILITY_ZONE,Value="$AZ" Key=ECS_TASK_ARN,Value="$TASK_ARN" Key=FAULT_INJECTION_SIDECAR,Value=true)',
  'ACTIVATION_ID=$(echo "$ACTIVATION" | jq -r .ActivationId)',
  'ACTIVATION_CODE=$(echo "$ACTIVATION" | jq -r .ActivationCode)',
  'cleanup() { aws ssm deregister-managed-instance --instance-id "$(jq -r .ManagedInstanceID /var/lib/amazon/ssm/registration)" || true; aws ssm delete-activation --activation-id "$ACTIVATION_ID" || true; }',
  "trap cleanup SIGTERM SIGINT",
  'amazon-ssm-agent -register -code "$ACTIVATION_CODE" -id "$ACTIVATION_ID" -region "$AWS_REGION" -y',
  "amazon-ssm-agent & wait $!",
].join("\n");

export class ProbeEnvironmentStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // Parameters: the only inputs; fislat deploy fills them from its flags.
    const vpcId = new CfnParameter(this, "VpcId", {
      type: "AWS::EC2::VPC::Id",
      description: "VPC of the tasks and the load balancer",
    });
    const subnetIds = new CfnParameter(this, "SubnetIds", {
      type: "List<AWS::EC2::Subnet::Id>",
      description: "Subnets of the tasks and the load balancer (two or more, in different AZs, for the load balancer)",
    });
    const allowedCidrs = [1, 2, 3].map(
      (n) =>
        new CfnParameter(this, n === 1 ? "AllowedCidr" : `AllowedCidr${n}`, {
          type: "String",
          default: "",
          allowedPattern: ALLOWED_CIDR_PATTERN,
          constraintDescription: `empty, or an IPv4 CIDR with a prefix of /${MIN_CIDR_PREFIX} to /32 (e.g. 203.0.113.7/32)`,
          description: `CIDR allowed to reach the load balancer on port 80${n === 1 ? "" : " (optional)"}`,
        }),
    );
    const imageUri = new CfnParameter(this, "ImageUri", {
      type: "String",
      default: "",
      description: "The probe image (fislat image push prints it); empty: no task definition or service yet",
    });
    // The shallow path by default: a load balancer or container health check on /health makes ECS
    // stop the very task under test once DynamoDB is slow for HEALTH_FAILURE_SECONDS (about 60 to
    // 90 s into the default 5-minute fault), and FIS loses its target. /health reproduces the
    // original setup's deep check, and with it that task churn (fislat deploy --deep-health-check).
    const healthCheckPath = new CfnParameter(this, "HealthCheckPath", {
      type: "String",
      default: HEALTH_PATHS.shallow,
      allowedValues: [HEALTH_PATHS.shallow, HEALTH_PATHS.deep],
      description:
        "Path the load balancer and the container health check probe: /live (the process answers) or /health (DynamoDB round trips succeed; ECS then replaces tasks while DynamoDB is slow)",
    });
    const tableName = new CfnParameter(this, "TableName", {
      type: "String",
      default: "MyTestTable",
      description: "Table the probe reads",
    });
    const createTable = new CfnParameter(this, "CreateTable", {
      type: "String",
      default: "true",
      allowedValues: ["true", "false"],
      description: "Create and seed the table (false: use an existing one)",
    });
    // The probe's own limits (@fislat/probe/contract), so CloudFormation refuses what the probe would.
    const { CONNECTION_TIMEOUT_MS, READ_TIMEOUT_MS, TEST_INTERVAL_SECONDS } = PROBE_ENV;
    const connectionTimeout = new CfnParameter(this, "ConnectionTimeoutMs", {
      type: "Number",
      default: 500,
      minValue: CONNECTION_TIMEOUT_MS.min,
      maxValue: CONNECTION_TIMEOUT_MS.max,
      description: `${CONNECTION_TIMEOUT_MS.name}: ${CONNECTION_TIMEOUT_MS.description} (ms)`,
    });
    const readTimeout = new CfnParameter(this, "ReadTimeoutMs", {
      type: "Number",
      default: 500,
      minValue: READ_TIMEOUT_MS.min,
      maxValue: READ_TIMEOUT_MS.max,
      description: `${READ_TIMEOUT_MS.name}: ${READ_TIMEOUT_MS.description} (ms)`,
    });
    const interval = new CfnParameter(this, "IntervalSeconds", {
      type: "String",
      default: "5",
      allowedPattern: "^\\d+(\\.\\d+)?$",
      description: `${TEST_INTERVAL_SECONDS.name}: ${TEST_INTERVAL_SECONDS.description} (s, ${TEST_INTERVAL_SECONDS.min} to ${TEST_INTERVAL_SECONDS.max})`,
    });
    const desiredCount = new CfnParameter(this, "DesiredCount", {
      type: "Number",
      default: 1,
      minValue: 0,
      maxValue: 5,
    });
    const withLoadBalancer = new CfnParameter(this, "WithLoadBalancer", {
      type: "String",
      default: "true",
      allowedValues: ["true", "false"],
    });
    const clusterName = new CfnParameter(this, "ClusterName", {
      type: "String",
      default: "",
      description: "Existing ECS cluster to use (empty: create one)",
    });
    const createRepository = new CfnParameter(this, "CreateRepository", {
      type: "String",
      default: "true",
      allowedValues: ["true", "false"],
    });
    const ssmAgentImage = new CfnParameter(this, "SsmAgentImage", {
      type: "String",
      default: DEFAULT_SSM_AGENT_IMAGE,
      minLength: 1,
      description:
        "The SSM agent sidecar's image (ECR Public's by default; a copy in a private repository where ECR Public cannot be reached, e.g. aws-cn)",
    });
    const assignPublicIp = new CfnParameter(this, "AssignPublicIp", {
      type: "String",
      default: "ENABLED",
      allowedValues: ["ENABLED", "DISABLED"],
      description: "ENABLED unless the subnets reach ECR, DynamoDB and SSM through NAT or VPC endpoints",
    });

    const makeTable = new CfnCondition(this, "MakeTable", {
      expression: Fn.conditionEquals(createTable.valueAsString, "true"),
    });
    const withLb = new CfnCondition(this, "WithLb", {
      expression: Fn.conditionEquals(withLoadBalancer.valueAsString, "true"),
    });
    const makeCluster = new CfnCondition(this, "MakeCluster", {
      expression: Fn.conditionEquals(clusterName.valueAsString, ""),
    });
    const hasImage = new CfnCondition(this, "HasImage", {
      expression: Fn.conditionNot(Fn.conditionEquals(imageUri.valueAsString, "")),
    });
    const publicIp = new CfnCondition(this, "PublicIp", {
      expression: Fn.conditionEquals(assignPublicIp.valueAsString, "ENABLED"),
    });
    const makeRepository = new CfnCondition(this, "MakeRepository", {
      expression: Fn.conditionEquals(createRepository.valueAsString, "true"),
    });
    const extraCidr = allowedCidrs.map(
      (p, i) =>
        new CfnCondition(this, `HasCidr${i + 1}`, {
          expression: Fn.conditionAnd(withLb, Fn.conditionNot(Fn.conditionEquals(p.valueAsString, ""))),
        }),
    );

    const tableArn = Fn.sub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}");

    // 1. The table. fislat deploy seeds it with the original setup's two items through the SDK
    // once the stack is up: no Lambda custom resource (and so no runtime to keep current, and no
    // custom resource that can hold the stack for an hour when its answer never arrives).
    const table = new dynamodb.CfnTable(this, "Table", {
      tableName: tableName.valueAsString,
      billingMode: "PAY_PER_REQUEST",
      attributeDefinitions: [{ attributeName: "id", attributeType: "S" }],
      keySchema: [{ attributeName: "id", keyType: "HASH" }],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    table.cfnOptions.condition = makeTable;

    // 2. The log group, with a retention.
    const logGroup = new logs.CfnLogGroup(this, "LogGroup", {
      logGroupName: Fn.sub("/ecs/${AWS::StackName}"),
      retentionInDays: 30,
    });

    // 3. The repository for the probe image (optional).
    // No name: CloudFormation makes one (ECR names are lower case, stack names need not be).
    const repository = new ecr.CfnRepository(this, "Repository", {
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "MUTABLE",
    });
    repository.cfnOptions.condition = makeRepository;
    // Kept when the stack is deleted: it may hold images, which CloudFormation cannot delete.
    repository.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
    repository.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;

    // 4. Roles, each with only what it needs.
    const managedInstanceRole = new iam.CfnRole(this, "SsmManagedInstanceRole", {
      assumeRolePolicyDocument: trust("ssm.amazonaws.com"),
      managedPolicyArns: [Fn.sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")],
      policies: [
        policy("CleanUpItsRegistration", [
          { actions: ["ssm:DeleteActivation", "ssm:DeregisterManagedInstance"], resources: ["*"] },
        ]),
      ],
    });
    justify(
      managedInstanceRole,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
      "the SSM agent sidecar registers the task as a managed instance with this role, as the FIS user guide prescribes for ECS task actions",
    );
    justify(
      managedInstanceRole,
      "AwsSolutions-IAM5[Resource::*]",
      "ssm:DeleteActivation and ssm:DeregisterManagedInstance have no resource-level permissions for activations made at run time",
    );
    const executionRole = new iam.CfnRole(this, "TaskExecutionRole", {
      assumeRolePolicyDocument: trust("ecs-tasks.amazonaws.com"),
      policies: [
        policy("PullImagesAndWriteLogs", [
          { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
          {
            actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            resources: [Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")],
          },
          { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [Fn.sub("${LogGroup.Arn}")] },
        ]),
      ],
    });
    justify(
      executionRole,
      "AwsSolutions-IAM5[Resource::*]",
      "ecr:GetAuthorizationToken has no resource-level permissions",
    );
    justify(
      executionRole,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*]",
      "the image is a parameter and may live in any repository of this account and region",
    );
    const taskRole = new iam.CfnRole(this, "TaskRole", {
      assumeRolePolicyDocument: trust("ecs-tasks.amazonaws.com"),
      policies: [
        policy("ReadTheTable", [
          {
            actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"],
            resources: [tableArn],
          },
        ]),
        // The sidecar's CLI may run with the task role rather than the managed-instance role: its
        // cleanup on SIGTERM then needs these too, or every stopped task leaves a managed instance.
        policy("RegisterTheSsmSidecar", [
          {
            actions: [
              "ssm:CreateActivation",
              "ssm:AddTagsToResource",
              "ssm:DeleteActivation",
              "ssm:DeregisterManagedInstance",
            ],
            resources: ["*"],
          },
          { actions: ["iam:PassRole"], resources: [managedInstanceRole.attrArn] },
        ]),
      ],
    });
    justify(
      taskRole,
      "AwsSolutions-IAM5[Resource::*]",
      "ssm:CreateActivation, ssm:AddTagsToResource, ssm:DeleteActivation and ssm:DeregisterManagedInstance (on an activation and instance made at run time) have no resource-level permissions",
    );
    const fisRole = new iam.CfnRole(this, "FisExperimentRole", {
      assumeRolePolicyDocument: trust("fis.amazonaws.com"),
      policies: [
        policy("InjectTaskNetworkLatency", [
          {
            actions: ["ecs:DescribeTasks", "ecs:ListTasks", "ecs:DescribeContainerInstances"],
            resources: ["*"],
          },
          { actions: ["ec2:DescribeInstances", "ec2:DescribeSubnets"], resources: ["*"] },
          {
            actions: ["ssm:SendCommand"],
            resources: [
              Fn.sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*"),
              Fn.sub("arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWSFIS-Run-Network-Latency-ECS"),
              // fislat's packet-loss and unreachable faults (aws:ecs:task-network-packet-loss).
              Fn.sub("arn:${AWS::Partition}:ssm:${AWS::Region}::document/AWSFIS-Run-Network-Packet-Loss-ECS"),
            ],
          },
          { actions: ["ssm:ListCommands", "ssm:CancelCommand"], resources: ["*"] },
          // --target-by tag: FIS resolves resourceTags through the Resource Groups Tagging API
          // (the TargetResolutionByTags statement of AWSFaultInjectionSimulatorECSAccess).
          { actions: ["tag:GetResources"], resources: ["*"] },
        ]),
      ],
    });

    justify(
      fisRole,
      "AwsSolutions-IAM5[Resource::*]",
      "the describe and list calls FIS makes for aws:ecs:task-network-latency, ssm:ListCommands/CancelCommand and tag:GetResources have no resource-level permissions",
    );
    justify(
      fisRole,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*]",
      "the tasks register as managed instances at run time, with ids no template can know",
    );

    // 5. Network: the load balancer admits only the allowed CIDRs; the tasks only the load balancer.
    const lbSecurityGroup = new ec2.CfnSecurityGroup(this, "LoadBalancerSecurityGroup", {
      groupDescription: "fislat probe load balancer: port 80 from the allowed CIDRs only",
      vpcId: vpcId.valueAsString,
    });
    lbSecurityGroup.cfnOptions.condition = withLb;
    allowedCidrs.forEach((cidr, i) => {
      const rule = new ec2.CfnSecurityGroupIngress(this, `LoadBalancerIngress${i + 1}`, {
        groupId: lbSecurityGroup.attrGroupId,
        ipProtocol: "tcp",
        fromPort: 80,
        toPort: 80,
        cidrIp: cidr.valueAsString,
        description: "an allowed CIDR",
      });
      rule.cfnOptions.condition = extraCidr[i];
      justify(
        rule,
        "AwsSolutions-EC23",
        "ingress comes only from the AllowedCidr parameters, whose pattern refuses anything but one CIDR",
      );
    });
    const taskSecurityGroup = new ec2.CfnSecurityGroup(this, "TaskSecurityGroup", {
      groupDescription: "fislat probe tasks: port 80 from the load balancer only",
      vpcId: vpcId.valueAsString,
      securityGroupEgress: [
        { ipProtocol: "-1", cidrIp: "0.0.0.0/0", description: "DynamoDB, ECR, SSM and CloudWatch Logs" },
      ],
    });
    const fromLb = new ec2.CfnSecurityGroupIngress(this, "TaskIngressFromLoadBalancer", {
      groupId: taskSecurityGroup.attrGroupId,
      ipProtocol: "tcp",
      fromPort: 80,
      toPort: 80,
      sourceSecurityGroupId: lbSecurityGroup.attrGroupId,
      description: "the load balancer's health checks and /test",
    });
    fromLb.cfnOptions.condition = withLb;
    justify(
      taskSecurityGroup,
      "AwsSolutions-EC23",
      "the tasks admit only the load balancer's security group; nothing is open to a CIDR",
    );
    justify(fromLb, "AwsSolutions-EC23", "the source is the load balancer's security group, not a CIDR");

    const loadBalancer = new elbv2.CfnLoadBalancer(this, "LoadBalancer", {
      type: "network",
      // Tasks without public IPs sit in private subnets: an internet-facing load balancer there
      // has no route back (and is not wanted); internal, it is reached from inside the VPC.
      scheme: Fn.conditionIf(publicIp.logicalId, "internet-facing", "internal").toString(),
      subnets: subnetIds.valueAsList,
      securityGroups: [lbSecurityGroup.attrGroupId],
    });
    loadBalancer.cfnOptions.condition = withLb;
    justify(
      loadBalancer,
      "AwsSolutions-ELB2",
      "the load balancer only reaches a test probe's /health and /test; access logs would need a bucket the environment does not otherwise have",
    );
    const targetGroup = new elbv2.CfnTargetGroup(this, "TargetGroup", {
      protocol: "TCP",
      port: 80,
      vpcId: vpcId.valueAsString,
      targetType: "ip",
      healthCheckEnabled: true,
      healthCheckProtocol: "HTTP",
      healthCheckPath: healthCheckPath.valueAsString,
      healthCheckIntervalSeconds: 30,
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
    });
    targetGroup.cfnOptions.condition = withLb;
    const listener = new elbv2.CfnListener(this, "Listener", {
      loadBalancerArn: loadBalancer.ref,
      protocol: "TCP",
      port: 80,
      defaultActions: [{ type: "forward", targetGroupArn: targetGroup.ref }],
    });
    listener.cfnOptions.condition = withLb;

    // 6. The task definition: Fargate, Linux, fault injection on, pidMode task, the SSM sidecar.
    const taskDefinition = new ecs.CfnTaskDefinition(this, "TaskDefinition", {
      family: Fn.sub("${AWS::StackName}-probe"),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      pidMode: "task",
      enableFaultInjection: true,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: executionRole.attrArn,
      taskRoleArn: taskRole.attrArn,
      containerDefinitions: [
        {
          name: PROBE_CONTAINER,
          image: imageUri.valueAsString,
          essential: true,
          portMappings: [{ containerPort: PROBE_PORT, protocol: "tcp" }],
          environment: [
            { name: PROBE_ENV.TABLE_NAME.name, value: tableName.valueAsString },
            { name: CONNECTION_TIMEOUT_MS.name, value: connectionTimeout.valueAsString },
            { name: READ_TIMEOUT_MS.name, value: readTimeout.valueAsString },
            { name: TEST_INTERVAL_SECONDS.name, value: interval.valueAsString },
          ],
          healthCheck: {
            command: ["CMD", "node", "-e", Fn.sub(CONTAINER_HEALTH_SCRIPT)],
            interval: 15,
            timeout: 5,
            retries: 3,
            startPeriod: 15,
          },
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup.ref,
              "awslogs-region": Aws.REGION,
              "awslogs-stream-prefix": LOG_STREAM_PREFIX,
              mode: "non-blocking",
              "max-buffer-size": "4m",
            },
          },
        },
        {
          name: SSM_AGENT_CONTAINER,
          image: ssmAgentImage.valueAsString,
          essential: false,
          entryPoint: ["/bin/bash", "-c"],
          command: [SSM_SIDECAR_SCRIPT],
          environment: [
            { name: "MANAGED_INSTANCE_ROLE_NAME", value: managedInstanceRole.ref },
            { name: SIDECAR_DEPENDENCIES_ENV, value: "preinstalled" },
          ],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup.ref,
              "awslogs-region": Aws.REGION,
              "awslogs-stream-prefix": LOG_STREAM_PREFIX,
            },
          },
        },
      ],
    });

    taskDefinition.cfnOptions.condition = hasImage;
    justify(
      taskDefinition,
      "AwsSolutions-ECS2",
      "the probe is configured by its environment (table name, timeouts, interval); none of it is secret",
    );

    // 7. The cluster (or an existing one) and the service.
    const cluster = new ecs.CfnCluster(this, "Cluster", {
      clusterSettings: [{ name: "containerInsights", value: "enabled" }],
    });
    cluster.cfnOptions.condition = makeCluster;
    const clusterRef = Fn.conditionIf(makeCluster.logicalId, cluster.ref, clusterName.valueAsString).toString();
    const service = new ecs.CfnService(this, "Service", {
      cluster: clusterRef,
      taskDefinition: taskDefinition.ref,
      desiredCount: desiredCount.valueAsNumber,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      enableExecuteCommand: false,
      // Tasks that never start (an image that is wrong or not pushed, no route to ECR) fail the
      // deployment after a few attempts and roll back, instead of holding CloudFormation until
      // its own timeout of about three hours (ECS developer guide, deployment circuit breaker).
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: subnetIds.valueAsList,
          securityGroups: [taskSecurityGroup.attrGroupId],
          assignPublicIp: assignPublicIp.valueAsString,
        },
      },
      // Fn::If takes raw CloudFormation: CDK translates property names only for typed values, so
      // the load balancer entry is rendered with the specification's names (test/cfn-spec.test.ts).
      loadBalancers: Fn.conditionIf(
        withLb.logicalId,
        [
          loadBalancerEntry({
            containerName: PROBE_CONTAINER,
            containerPort: PROBE_PORT,
            targetGroupArn: targetGroup.ref,
          }),
        ],
        Aws.NO_VALUE,
      ),
      healthCheckGracePeriodSeconds: Token.asNumber(Fn.conditionIf(withLb.logicalId, 60, Aws.NO_VALUE)),
    });
    // The service must wait for the listener when there is one: a handle whose metadata refers to
    // it only under the condition (a DependsOn on a conditional resource would fail without it).
    const listenerReady = new CfnWaitConditionHandle(this, "ListenerReady");
    listenerReady.addMetadata("Listener", Fn.conditionIf(withLb.logicalId, listener.ref, ""));
    service.addResourceDependency(listenerReady);
    service.cfnOptions.condition = hasImage;

    // Outputs: what fislat deploy writes to fislat.config.json for run, tail, stop and doctor.
    // One output per case, each under its own condition: the cluster made here, or the one named.
    const madeCluster = new CfnOutput(this, "ClusterNameOutput", { key: "ClusterName", value: cluster.ref });
    madeCluster.condition = makeCluster;
    const namedCluster = new CfnOutput(this, "ExistingClusterName", { value: clusterName.valueAsString });
    namedCluster.condition = new CfnCondition(this, "UseExistingCluster", { expression: Fn.conditionNot(makeCluster) });
    const serviceName = new CfnOutput(this, "ServiceName", { value: service.attrName });
    serviceName.condition = hasImage;
    const family = new CfnOutput(this, "TaskDefinitionFamily", { value: Fn.sub("${AWS::StackName}-probe") });
    family.condition = hasImage;
    new CfnOutput(this, "FisRoleArn", { value: fisRole.attrArn });
    new CfnOutput(this, "LogGroupName", { value: logGroup.ref });
    new CfnOutput(this, "TableNameOutput", { key: "TableName", value: tableName.valueAsString });
    const dns = new CfnOutput(this, "LoadBalancerDns", { value: loadBalancer.attrDnsName });
    dns.condition = withLb;
    const targets = new CfnOutput(this, "TargetGroupArn", { value: targetGroup.ref });
    targets.condition = withLb;
    const repo = new CfnOutput(this, "RepositoryUri", { value: repository.attrRepositoryUri });
    repo.condition = makeRepository;
  }
}

/** A cdk-nag finding accepted on purpose, with the reason beside the resource it concerns. */
function justify(construct: Construct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

type LoadBalancerEntry = Required<
  Pick<ecs.CfnService.LoadBalancerProperty, "containerName" | "containerPort" | "targetGroupArn">
>;

/** One ECS service load balancer entry in CloudFormation's own property names, for use inside Fn::If. */
function loadBalancerEntry(lb: LoadBalancerEntry) {
  return { ContainerName: lb.containerName, ContainerPort: lb.containerPort, TargetGroupArn: lb.targetGroupArn };
}

function trust(service: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  };
}

function policy(name: string, statements: { actions: string[]; resources: string[] }[]) {
  return {
    policyName: name,
    policyDocument: {
      Version: "2012-10-17",
      Statement: statements.map((s) => ({ Effect: "Allow", Action: s.actions, Resource: s.resources })),
    },
  };
}

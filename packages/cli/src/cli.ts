#!/usr/bin/env node
// fislat: the operator CLI. Wiring only: commands live in src/commands/.
import { Command } from "commander";

const program = new Command("fislat").description("Latency fault-injection experiments against DynamoDB");
program.parse();

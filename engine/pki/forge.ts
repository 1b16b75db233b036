/**
 * The two parts of node-forge the PKI code uses: its ASN.1 toolkit and its string utilities
 * (the same objects as `forge.asn1` / `forge.util`). Required on their own, not through
 * node-forge's index, which loads every cipher, TLS and PKCS module (~5x the load time).
 * Only the certificate modules import this file, so nothing loads at start-up.
 */
import { createRequire } from 'node:module';
import type forge from 'node-forge';

const require = createRequire(import.meta.url);

/** node-forge's ASN.1 toolkit (`forge.asn1`). */
export const asn1: typeof forge.asn1 = require('node-forge/lib/asn1');
/** node-forge's utilities (`forge.util`). */
export const util: typeof forge.util = require('node-forge/lib/util');
/** An ASN.1 node. */
export type Asn1 = forge.asn1.Asn1;

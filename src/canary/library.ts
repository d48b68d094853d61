/**
 * Shipped security canaries: benign tasks of the kind SOAR playbooks, phishing triage and SIEM
 * copilots hand a model, each with an answer a parser can check. All data is made up:
 * documentation domains (example.com/net/org, RFC 2606), documentation address ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, RFC 5737) and hashes of no real file.
 * Every expected answer fits in 64 tokens. Written as operators write canaries in YAML, so
 * the config loader validates them like any other.
 */
export const SHIPPED_CANARIES: readonly Readonly<Record<string, unknown>>[] = [
  {
    id: 'phishing-verdict',
    system: 'You are an email security analyst. Answer with exactly one word.',
    prompt:
      'Is this email phishing? Answer with one word: PHISHING or BENIGN.\n\n' +
      'From: "IT Service Desk" <it-support@examp1e-helpdesk.example.net>\n' +
      'To: j.doe@example.com\n' +
      'Subject: URGENT: your mailbox will be deleted in 24 hours\n\n' +
      'Your mailbox has exceeded its quota and will be deleted. Verify your password now at ' +
      'http://203.0.113.77/owa/login.php to keep your account. IT Service Desk',
    expect: { equals: 'PHISHING' },
    maxTokens: 8,
  },
  {
    id: 'ioc-extract',
    system: 'You extract indicators of compromise. Reply with JSON only, no prose.',
    prompt:
      'Extract the indicators of compromise from this report as JSON with keys "ips", ' +
      '"domains" and "sha256" (each a list of strings).\n\n' +
      'The loader beaconed to 198.51.100.23 and update.malware-cdn.example.org, then dropped ' +
      'a payload with SHA-256 ' +
      '9f2b5c7e1a3d4f60b8c9e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5.',
    expect: {
      json: {
        type: 'object',
        required: ['ips', 'domains', 'sha256'],
        properties: {
          ips: { type: 'array', contains: { const: '198.51.100.23' } },
          domains: { type: 'array', contains: { const: 'update.malware-cdn.example.org' } },
          sha256: {
            type: 'array',
            contains: { const: '9f2b5c7e1a3d4f60b8c9e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5' },
          },
        },
      },
    },
    maxTokens: 64,
  },
  {
    id: 'mitre-technique',
    system: 'You map behaviour to MITRE ATT&CK. Answer with the technique id only.',
    prompt:
      'Which MITRE ATT&CK technique id describes this behaviour? Answer with the id only ' +
      '(for example T1059).\n\nThe attacker ran procdump.exe -ma lsass.exe lsass.dmp on a ' +
      'workstation to read credentials from the LSASS process memory.',
    expect: { matches: '\\bT1003(?:\\.001)?\\b' },
    maxTokens: 8,
  },
  {
    id: 'alert-severity',
    system: 'You triage SIEM alerts. Answer with exactly one word.',
    prompt:
      'Rate the severity of this alert with one word: CRITICAL, HIGH, MEDIUM or LOW.\n\n' +
      'Alert: ransomware encryption in progress on the primary domain controller ' +
      'dc01.corp.example.com; 4,000 files renamed to *.locked in the last minute.',
    expect: { equals: 'CRITICAL' },
    maxTokens: 8,
  },
  {
    id: 'log-summary',
    system: 'You summarise log lines. Reply with JSON only, no prose.',
    prompt:
      'Summarise this log line as JSON with keys "event" (one of login_failure, ' +
      'login_success), "user" and "source_ip".\n\n' +
      'Dec  4 03:12:09 bastion sshd[4242]: Failed password for invalid user admin from ' +
      '192.0.2.44 port 51234 ssh2',
    expect: {
      json: {
        type: 'object',
        required: ['event', 'user', 'source_ip'],
        properties: {
          event: { const: 'login_failure' },
          user: { const: 'admin' },
          source_ip: { const: '192.0.2.44' },
        },
      },
    },
    maxTokens: 48,
  },
  {
    id: 'block-ip',
    system: 'You are a SOAR assistant. Use the tools to act; do not explain.',
    prompt:
      'The address 198.51.100.23 is brute-forcing our VPN. Block it at the firewall now ' +
      'using the block_ip tool.',
    tools: [
      {
        name: 'block_ip',
        description: 'Block an IPv4 or IPv6 address at the perimeter firewall.',
        parameters: {
          type: 'object',
          properties: { ip: { type: 'string', description: 'The address to block.' } },
          required: ['ip'],
        },
      },
      {
        name: 'lookup_hash',
        description: 'Look up a file hash in the threat-intelligence service.',
        parameters: {
          type: 'object',
          properties: { sha256: { type: 'string' } },
          required: ['sha256'],
        },
      },
    ],
    expect: { toolCall: { name: 'block_ip', arguments: { ip: '198.51.100.23' } } },
    maxTokens: 48,
  },
];

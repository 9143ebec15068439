"""Work packs: cases, media and a policy pack in one passphrase-encrypted file for air-gapped review,
and the return file that brings the reviewer's audit chain back (issue 12, item 4). No Qt here."""

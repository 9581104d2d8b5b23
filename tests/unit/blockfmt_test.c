// SPDX-License-Identifier: GPL-2.0
/* Block format: encode/decode, checksum, one-byte corruption detected. */
#include <stdlib.h>
#include <string.h>

#include "blockfmt.h"
#include "utest.h"

#define BS 4096
#define NONCE 0x6e6f6e6365ULL

static unsigned char blk[BS] __attribute__((aligned(64)));

/* crc32c check value from the Castagnoli polynomial definition */
static int test_crc32c_known_answer(void)
{
	uint32_t c = pwb_crc32c(0, "123456789", 9);

	CHECK(c == 0xE3069283U, "crc32c(\"123456789\") = 0x%08x, want 0xe3069283",
	      c);
	/* incremental == one shot */
	c = pwb_crc32c(pwb_crc32c(0, "1234", 4), "56789", 5);
	CHECK(c == 0xE3069283U, "incremental crc32c = 0x%08x", c);
	return T_PASS;
}

static int test_roundtrip(void)
{
	struct pwb_identity id;
	uint64_t target = pwb_target_make(3, 0x123000);

	pwb_block_fill(blk, BS, 42, NONCE, target, 7);
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_OK, "decode failed");
	CHECK(id.target == target && id.gen == 7 && id.seed == 42 &&
	      id.bsize == BS && id.nonce == NONCE &&
	      id.version == PWB_BLOCK_VERSION, "identity did not round-trip");
	CHECK((id.target >> PWB_TARGET_FILE_SHIFT) == 3, "file number lost");
	CHECK(!memcmp(blk, PWB_BLOCK_MAGIC, 8), "magic not at offset 0");
	return T_PASS;
}

/* the payload depends on every part of the identity */
static int test_payload_differs(void)
{
	static unsigned char b2[BS];

	pwb_block_fill(blk, BS, 1, NONCE, 4096, 1);
	pwb_block_fill(b2, BS, 1, NONCE, 4096, 2);
	CHECK(memcmp(blk + 64, b2 + 64, BS - 64), "gen does not change payload");
	pwb_block_fill(b2, BS, 2, NONCE, 4096, 1);
	CHECK(memcmp(blk + 64, b2 + 64, BS - 64), "seed does not change payload");
	pwb_block_fill(b2, BS, 1, NONCE, 8192, 1);
	CHECK(memcmp(blk + 64, b2 + 64, BS - 64), "target does not change payload");
	pwb_block_fill(b2, BS, 1, NONCE + 1, 4096, 1);
	CHECK(memcmp(blk + 64, b2 + 64, BS - 64), "nonce does not change payload");
	pwb_block_fill(b2, BS, 1, NONCE, 4096, 1);
	CHECK(!memcmp(blk, b2, BS), "same identity, different bytes");
	return T_PASS;
}

/* a version-1 block (no version field, no nonce) is not taken for one */
static int test_old_version_refused(void)
{
	struct pwb_identity id;
	uint32_t csum;

	pwb_block_fill(blk, BS, 9, NONCE, 0, 1);
	memset(blk + PWB_OFF_VERSION, 0, 4);
	memset(blk + PWB_OFF_NONCE, 0, 8);
	csum = pwb_block_csum(blk, BS);
	memcpy(blk + PWB_OFF_CSUM, &csum, 4);	/* little-endian host */
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_BAD_VERSION,
	      "a block without version decoded as %s",
	      pwb_block_status_str(pwb_block_decode(blk, BS, &id)));
	return T_PASS;
}

/* flipping any single byte anywhere must be caught */
static int test_every_byte_flip_detected(void)
{
	struct pwb_identity id;

	pwb_block_fill(blk, BS, 9, NONCE, 0, 0);
	for (int i = 0; i < BS; i++) {
		enum pwb_block_status st;

		blk[i] ^= 0x01;
		st = pwb_block_decode(blk, BS, &id);
		blk[i] ^= 0x01;
		CHECK(st != PWB_BLK_OK, "flip of byte %d not detected", i);
	}
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_OK, "restore failed");
	return T_PASS;
}

static int test_status_kinds(void)
{
	struct pwb_identity id;

	pwb_block_fill(blk, BS, 9, NONCE, 0, 0);
	blk[0] = 'X';
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_BAD_MAGIC,
	      "bad magic not reported");
	pwb_block_fill(blk, BS, 9, NONCE, 0, 0);
	CHECK(pwb_block_decode(blk, BS / 2, &id) == PWB_BLK_BAD_SIZE,
	      "wrong block size not reported");
	pwb_block_fill(blk, BS, 9, NONCE, 0, 0);
	blk[100] ^= 0xff;
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_BAD_CSUM,
	      "payload change not reported as bad checksum");
	memset(blk, 0, BS);
	CHECK(pwb_block_decode(blk, BS, &id) == PWB_BLK_BAD_MAGIC,
	      "zero block not reported as bad magic");
	CHECK(!strcmp(pwb_block_status_str(PWB_BLK_BAD_CSUM), "bad checksum"),
	      "status text");
	return T_PASS;
}

int main(void)
{
	RUN(test_crc32c_known_answer);
	RUN(test_roundtrip);
	RUN(test_old_version_refused);
	RUN(test_payload_differs);
	RUN(test_every_byte_flip_detected);
	RUN(test_status_kinds);
	return t_exit();
}

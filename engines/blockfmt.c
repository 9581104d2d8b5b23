// SPDX-License-Identifier: GPL-2.0
/*
 * pinwb block format: header encode/decode, payload generator, crc32c.
 */
#include <endian.h>
#include <string.h>

#include "blockfmt.h"

/* ---- crc32c (Castagnoli), hardware when the CPU has it ---- */

static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78U & -(c & 1));
		crc_table[i] = c;
	}
	__atomic_store_n(&crc_table_ready, 1, __ATOMIC_RELEASE);
}

static uint32_t crc32c_sw(uint32_t crc, const unsigned char *p, size_t len)
{
	if (!__atomic_load_n(&crc_table_ready, __ATOMIC_ACQUIRE))
		crc_table_init();
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc;

	while (len && ((uintptr_t)p & 7)) {
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}

static int have_hw = -1;
#endif

uint32_t pwb_crc32c(uint32_t crc, const void *buf, size_t len)
{
	crc = ~crc;
#if defined(__x86_64__)
	if (have_hw < 0)
		have_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
	if (have_hw)
		return ~crc32c_hw(crc, buf, len);
#endif
	return ~crc32c_sw(crc, buf, len);
}

/* ---- payload ---- */

uint64_t pwb_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void put_le64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static inline void put_le32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static inline uint64_t get_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint32_t get_le32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

uint32_t pwb_block_csum(const void *buf, uint32_t bsize)
{
	static const unsigned char zero4[4];
	const unsigned char *p = buf;
	uint32_t crc;

	crc = pwb_crc32c(0, p, PWB_OFF_CSUM);
	crc = pwb_crc32c(crc, zero4, 4);
	return pwb_crc32c(crc, p + PWB_OFF_CSUM + 4, bsize - PWB_OFF_CSUM - 4);
}

void pwb_block_fill(void *buf, uint32_t bsize, uint64_t seed, uint64_t nonce,
		    uint64_t target, uint64_t gen)
{
	unsigned char *p = buf;
	uint64_t x;
	uint32_t i;

	memcpy(p, PWB_BLOCK_MAGIC, PWB_BLOCK_MAGIC_LEN);
	put_le64(p + PWB_OFF_TARGET, target);
	put_le64(p + PWB_OFF_GEN, gen);
	put_le64(p + PWB_OFF_SEED, seed);
	put_le32(p + PWB_OFF_BSIZE, bsize);
	put_le32(p + PWB_OFF_CSUM, 0);
	memset(p + PWB_OFF_CSUM + 4, 0, PWB_BLOCK_HDR_SIZE - PWB_OFF_CSUM - 4);
	put_le32(p + PWB_OFF_VERSION, PWB_BLOCK_VERSION);
	put_le64(p + PWB_OFF_NONCE, nonce);

	/* xorshift64 stream seeded by the block identity */
	x = pwb_mix64(seed ^ pwb_mix64(target + 0x9e3779b97f4a7c15ULL) ^
		      pwb_mix64(gen * 0xd1b54a32d192ed03ULL + 1) ^
		      pwb_mix64(nonce + 0x94d049bb133111ebULL)) | 1;
	for (i = PWB_BLOCK_HDR_SIZE; i + 8 <= bsize; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
	for (; i < bsize; i++)
		p[i] = (unsigned char)(x >> ((i & 7) * 8));

	put_le32(p + PWB_OFF_CSUM, pwb_block_csum(p, bsize));
}

enum pwb_block_status pwb_block_decode(const void *buf, uint32_t bsize,
				       struct pwb_identity *id)
{
	const unsigned char *p = buf;

	if (bsize < PWB_BLOCK_MIN_SIZE ||
	    memcmp(p, PWB_BLOCK_MAGIC, PWB_BLOCK_MAGIC_LEN))
		return PWB_BLK_BAD_MAGIC;
	id->target = get_le64(p + PWB_OFF_TARGET);
	id->gen = get_le64(p + PWB_OFF_GEN);
	id->seed = get_le64(p + PWB_OFF_SEED);
	id->bsize = get_le32(p + PWB_OFF_BSIZE);
	id->version = get_le32(p + PWB_OFF_VERSION);
	id->nonce = get_le64(p + PWB_OFF_NONCE);
	if (id->version != PWB_BLOCK_VERSION)
		return PWB_BLK_BAD_VERSION;
	if (id->bsize != bsize)
		return PWB_BLK_BAD_SIZE;
	if (get_le32(p + PWB_OFF_CSUM) != pwb_block_csum(p, bsize))
		return PWB_BLK_BAD_CSUM;
	return PWB_BLK_OK;
}

const char *pwb_block_status_str(enum pwb_block_status st)
{
	switch (st) {
	case PWB_BLK_OK:
		return "ok";
	case PWB_BLK_BAD_MAGIC:
		return "bad magic";
	case PWB_BLK_BAD_SIZE:
		return "bad block size";
	case PWB_BLK_BAD_CSUM:
		return "bad checksum";
	case PWB_BLK_BAD_VERSION:
		return "bad block version";
	}
	return "?";
}

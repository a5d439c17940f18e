/*
 * place.h - the Place model: validating a client's JSON body, and turning
 * a stored place into JSON.
 */
#ifndef PLACES_PLACE_H
#define PLACES_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"

struct json_object;

#define PLACE_MAX_JSON_DEPTH	32	/* a place is one flat object */
#define PLACE_MAX_LINE		200	/* name, location: characters */
#define PLACE_MAX_URL		2048	/* image, mapURL: bytes (ASCII) */
#define PLACE_MAX_TEXT		5000	/* description: characters */

/* The fields a client may write, in the order of the SQL parameters. */
enum place_field {
	PF_NAME = 0,
	PF_LOCATION,
	PF_IMAGE,
	PF_MAPURL,
	PF_DESCRIPTION,
	PF__COUNT
};

enum place_mode {
	PLACE_CREATE,	/* POST: required fields must be present */
	PLACE_REPLACE,	/* PUT: as POST; absent optional fields become null */
	PLACE_PATCH	/* PATCH: only the fields present change */
};

struct place_value {
	const char	*ptr;	/* NULL for JSON null */
	size_t		 len;
};

/*
 * A validated body.  `present` has bit (1 << field) set for every field
 * that is to be written; the values point into `root`, which the struct
 * owns: release it with place_input_free().
 */
struct place_input {
	unsigned		 present;
	struct place_value	 val[PF__COUNT];
	struct json_object	*root;
};

/*
 * Parses and validates the body buf[0..len) for the given mode.
 *
 * PL_OK: *in is filled; the caller calls place_input_free(in).
 * PL_EJSON: not valid UTF-8, not JSON, not an object, trailing bytes or
 *   nested too deep; *detail is a static message.
 * PL_EINVALID: *errors is a new JSON object {"<field>":"<why>",...}
 *   naming every bad field; the caller releases it with json_object_put().
 * PL_ENOMEM.
 * On every result but PL_OK, *in owns nothing.
 */
enum pl_err	place_parse(const char *buf, size_t len, enum place_mode mode,
		    struct place_input *in, const char **detail,
		    struct json_object **errors) PL_MUST_CHECK;
void		place_input_free(struct place_input *);

/* A stored place as text columns, in the order of the JSON keys. */
enum place_col {
	PC_ID = 0,
	PC_NAME,
	PC_LOCATION,
	PC_IMAGE,
	PC_MAPURL,
	PC_DESCRIPTION,
	PC_AUTHOR,
	PC_CREATED,
	PC_UPDATED,
	PC__COUNT
};

struct place_row {
	struct place_value	 col[PC__COUNT];	/* ptr NULL: SQL NULL */
};

/*
 * Appends the row as a JSON object, keys in column order, SQL NULL as
 * null (out of memory: b->failed).
 */
void		place_put_json(struct buf *b, const struct place_row *);

#endif

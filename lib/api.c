#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "api.h"
#include "cursor.h"
#include "db.h"
#include "log.h"
#include "origin.h"
#include "place.h"
#include "query.h"
#include "request.h"
#include "response.h"
#include "route.h"
#include "session.h"

/* What a handler gets: everything checked, and somewhere to put errors. */
struct ctx {
	struct api		*api;
	struct request		*req;
	struct response		*resp;
	const struct session	*session;
	const struct route_match *match;
	struct db_read		*read;		/* done: the read is answered */
	enum pl_err		 query_rc;	/* GET, HEAD: the query string's */
	const char		*query_detail;	/* ... and why, if it is bad */
	const char		*detail;	/* PL_EBADREQ, PL_EJSON */
	struct json_object	*errors;	/* PL_EINVALID; ctx owns it */
};

typedef enum pl_err (*handler_fn)(struct ctx *);

/*
 * Answers the rows as one place (single: the first row) or as an array,
 * written straight into the body: a json-c tree only to print it was most
 * of the work of a list (docs/PERFORMANCE.md).
 */
static enum pl_err
send_places(struct ctx *c, int status, const struct db_rows *rows,
    bool single)
{
	struct buf		*b = &c->resp->body;
	struct place_row	 row;
	int			 i;

	if (single && rows->n < 1)
		return PL_EINTERNAL;
	buf_reset(b);
	if (!single)
		buf_addc(b, '[');
	for (i = 0; i < (single ? 1 : rows->n); i++) {
		if (i > 0)
			buf_addc(b, ',');
		db_rows_place(rows, i, &row);
		place_put_json(b, &row);
	}
	if (!single)
		buf_addc(b, ']');
	if (b->failed)
		return PL_ENOMEM;
	c->resp->status = status;
	return PL_OK;
}

/* Answers {"status": text} (plus "id" when given). */
static enum pl_err
send_status(struct ctx *c, int status, const char *text, const char *id)
{
	struct json_object	*obj;
	enum pl_err		 rc = PL_ENOMEM;

	if ((obj = json_object_new_object()) == NULL)
		return PL_ENOMEM;
	if (json_object_object_add(obj, "status",
	    json_object_new_string(text)) != 0)
		goto out;
	if (id != NULL && json_object_object_add(obj, "id",
	    json_object_new_string(id)) != 0)
		goto out;
	rc = response_json(c->resp, status, obj);
out:
	json_object_put(obj);
	return rc;
}

/* Reads and validates the body of a write. */
static enum pl_err
read_place(struct ctx *c, enum place_mode mode, struct place_input *in)
{
	enum pl_err	 rc;

	if (!request_is_json(c->req))
		return PL_EMEDIA;
	if ((rc = request_body(c->req, c->api->max_body, &c->api->body))
	    != PL_OK) {
		if (rc == PL_EBADREQ)
			c->detail = "body does not match Content-Length";
		return rc;
	}
	return place_parse(c->api->body.data, c->api->body.len, mode, in,
	    &c->detail, &c->errors);
}

/*
 * The next page's link (RFC 8288), when this page is full and so there
 * may be more: the request's path, its limit and author, and the cursor
 * of its last row, e.g.
 *   Link: </api/places?limit=20&cursor=AQAF...>; rel="next"
 * The path is the one route_match() accepted; the rest is ours.
 */
static enum pl_err
link_next(struct ctx *c, const struct list_query *q,
    const struct db_rows *rows)
{
	struct cursor	 cur;
	char		 text[CURSOR_LEN + 1], link[ROUTE_MAX_PATH + 128];
	int		 n;

	if (rows->n < (int)q->limit)
		return PL_OK;
	/*
	 * A cursor holds years 1 to 9999 (cursor.h): a place dated outside
	 * them, which only a hand-made row can be, ends the links there.
	 * The page itself is fine, so it is no reason for a 500.
	 */
	if (db_rows_cursor(rows, rows->n - 1, &cur) != PL_OK) {
		log_warnx("no next link: the page's last place is dated "
		    "outside years 1 to 9999");
		return PL_OK;
	}
	cursor_format(&cur, text);
	n = snprintf(link, sizeof(link), "<%.*s?limit=%u%s&cursor=%s>; "
	    "rel=\"next\"", (int)c->req->path.len, c->req->path.ptr, q->limit,
	    q->mine ? "&author=me" : "", text);
	if (n < 0 || (size_t)n >= sizeof(link))
		return PL_EINTERNAL;
	response_header(c->resp, "Link", link, (size_t)n);
	return PL_OK;
}

/* GET /api/places: 200, 400, 503. */
static enum pl_err
list_places(struct ctx *c)
{
	struct db_rows		 rows = { NULL, 0, 0 };
	const struct db_rows	*r = &rows;
	enum pl_err		 rc;

	if (c->read->done)
		r = &c->read->rows;
	/* plan_read() has parsed the query string already. */
	else if (c->query_rc != PL_OK) {
		c->detail = c->query_detail;
		return c->query_rc;
	} else if ((rc = db_place_list(c->api->db, c->read->list,
	    c->session->author, &rows)) != PL_OK)
		goto out;
	if ((rc = link_next(c, c->read->list, r)) == PL_OK)
		rc = send_places(c, 200, r, false);
out:
	db_rows_free(&rows);
	return rc;
}

/* POST /api/places: 201, 400, 413, 415, 422, 503. */
static enum pl_err
create_place(struct ctx *c)
{
	struct place_input	 in;
	char			 id[UUID_LEN + 1], loc[64];
	enum pl_err		 rc;

	if ((rc = read_place(c, PLACE_CREATE, &in)) != PL_OK)
		return rc;
	rc = db_place_create(c->api->db, c->session->author, &in, id);
	place_input_free(&in);
	if (rc != PL_OK)
		return rc;
	snprintf(loc, sizeof(loc), "/api/places/%s", id);
	response_header(c->resp, "Location", loc, strlen(loc));
	return send_status(c, 201, "Place created", id);
}

/* GET /api/places/<id>: 200, 404, 503. */
static enum pl_err
get_place(struct ctx *c)
{
	struct db_rows	 rows = { NULL, 0, 0 };
	enum pl_err	 rc;

	if (c->read->done)
		return c->read->rows.n == 0 ? PL_ENOTFOUND :
		    send_places(c, 200, &c->read->rows, true);
	if ((rc = db_place_get(c->api->db, c->match->id, &rows)) == PL_OK)
		rc = send_places(c, 200, &rows, true);
	db_rows_free(&rows);
	return rc;
}

/* PUT and PATCH /api/places/<id>: 200, 400, 403, 404, 413, 415, 422, 503. */
static enum pl_err
update_place(struct ctx *c, enum place_mode mode)
{
	struct place_input	 in;
	struct db_rows		 rows = { NULL, 0, 0 };
	enum pl_err		 rc;

	if ((rc = read_place(c, mode, &in)) != PL_OK)
		return rc;
	rc = db_place_update(c->api->db, c->match->id, c->session->author,
	    &in, &rows);
	place_input_free(&in);
	if (rc == PL_OK)
		rc = send_places(c, 200, &rows, true);
	db_rows_free(&rows);
	return rc;
}

static enum pl_err
replace_place(struct ctx *c)
{
	return update_place(c, PLACE_REPLACE);
}

static enum pl_err
patch_place(struct ctx *c)
{
	return update_place(c, PLACE_PATCH);
}

/* DELETE /api/places/<id>: 200, 403, 404, 503. */
static enum pl_err
delete_place(struct ctx *c)
{
	enum pl_err	 rc;

	if ((rc = db_place_delete(c->api->db, c->match->id,
	    c->session->author)) != PL_OK)
		return rc;
	return send_status(c, 200, "Place deleted", NULL);
}

/* The dispatch table; HEAD runs the GET handler (RFC 9110, 9.3.2). */
static const handler_fn handlers[ROUTE__COUNT][METHOD__COUNT] = {
	[ROUTE_COLLECTION] = {
		[METHOD_GET] = list_places,
		[METHOD_HEAD] = list_places,
		[METHOD_POST] = create_place,
	},
	[ROUTE_ITEM] = {
		[METHOD_GET] = get_place,
		[METHOD_HEAD] = get_place,
		[METHOD_PUT] = replace_place,
		[METHOD_PATCH] = patch_place,
		[METHOD_DELETE] = delete_place,
	},
};

/*
 * The read a GET or HEAD asks for, if the request is well-formed enough to
 * have one: the session check can then answer it in the same round trip.
 * Nothing here is told to the client before the session is known: a bad
 * query string waits in c->query_rc for list_places().
 */
static void
plan_read(struct ctx *c, enum pl_err routed, struct list_query *q)
{
	const struct request	*req = c->req;

	memset(c->read, 0, sizeof(*c->read));
	c->query_rc = PL_OK;
	if (routed != PL_OK || (req->meth != METHOD_GET &&
	    req->meth != METHOD_HEAD))
		return;
	if (c->match->route == ROUTE_ITEM)
		c->read->id = c->match->id;
	else if ((c->query_rc = query_parse(req->query.ptr, req->query.len, q,
	    &c->query_detail)) == PL_OK)
		c->read->list = q;
}

void
api_handle(struct api *api, struct request *req, struct response *resp)
{
	struct session		 s;
	struct route_match	 m;
	struct list_query	 q;
	struct db_read		 read;
	struct ctx		 c = { api, req, resp, &s, &m, &read, PL_OK,
				    NULL, NULL, NULL };
	const char		*allow = NULL;
	enum pl_err		 rc, routed;
	bool			 authenticated = false;

	response_reset(resp);
	resp->head = req->meth == METHOD_HEAD;

	/* Routing is only looked at; its 404 waits for the session's 401. */
	routed = route_match(req->path.ptr, req->path.len, &m);
	plan_read(&c, routed, &q);
	if ((rc = session_resolve(api->db, &api->session, req, &api->scratch,
	    &read, &s)) != PL_OK)
		goto out;
	authenticated = true;
	log_set_user(s.author);	/* on every later line, the access line's */
	log_debug("author %s, %s session from %s%s", s.author,
	    s.kind == SESSION_JWT ? "JWT" : "database",
	    s.cookie ? s.cookie : "Authorization", s.renewed ? ", renewed" : "");
	if ((rc = routed) != PL_OK)
		goto out;
	if (!route_allows(m.route, req->meth)) {
		allow = route_allow_header(m.route);
		rc = PL_EMETHOD;
		goto out;
	}
	/*
	 * A cookie rides along with any page's request; a write with one must
	 * come from our own origin or an allowed one.  A Bearer token is
	 * never sent by a browser on its own, so it needs no such check.
	 */
	if (req->meth != METHOD_GET && req->meth != METHOD_HEAD &&
	    s.cookie != NULL && req->origin.ptr != NULL &&
	    !origin_allowed(req->origin.ptr, req->origin.len, &(struct
	    origin_self){ req->scheme.ptr, req->scheme.len, req->host.ptr,
	    req->host.len, req->port.ptr, req->port.len },
	    api->allowed_origins)) {
		log_info("cross-site write refused");
		rc = PL_EFORBIDDEN;
		goto out;
	}
	rc = handlers[m.route][req->meth](&c);
out:
	if (rc != PL_OK) {
		if (rc == PL_ENOMEM)
			log_errorx("out of memory");
		response_error(resp, rc, c.detail, c.errors, allow);
	}
	/* Like NextAuth, every authenticated answer renews the cookie. */
	if (authenticated)
		session_set_cookie(&api->session, &s, resp);
	if (read.done)
		db_rows_free(&read.rows);
	json_object_put(c.errors);
}
